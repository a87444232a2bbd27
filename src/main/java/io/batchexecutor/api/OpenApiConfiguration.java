package io.batchexecutor.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document: titled, with the bearer-token scheme (so Swagger UI's "Authorize" takes a
 * token), and with schemas in snake_case as the JSON on the wire is.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  @Bean
  OpenAPI batchExecutorApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("batch-executor")
                .version("v1")
                .description(
                    "Runs Python functions as tasks on AWS Batch or the local Docker engine. Errors"
                        + " are RFC 9457 problem documents whose type is"
                        + " urn:problem-type:batch-executor:<kind>."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("a client token from batch-executor.security.tokens")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }

  /** Schemas named as the API's JSON is: snake_case. */
  @Bean
  ModelResolver snakeCaseSchemas() {
    return new ModelResolver(
        Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
  }
}

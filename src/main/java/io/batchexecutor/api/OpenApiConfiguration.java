package io.batchexecutor.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

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

  /**
   * Every error answer is a problem document: each 4xx/5xx response of every operation gets the
   * {@code application/problem+json} content with the {@code ProblemDetail} schema, so the
   * controllers declare an error answer by its code and description alone.
   */
  @Bean
  OpenApiCustomizer problemDocumentsForErrors() {
    return api -> {
      ModelConverters.getInstance()
          .read(ProblemDetail.class)
          .forEach((name, schema) -> api.getComponents().addSchemas(name, schema));
      Content problem =
          new Content()
              .addMediaType(
                  "application/problem+json",
                  new MediaType()
                      .schema(new Schema<>().$ref("#/components/schemas/ProblemDetail")));
      api.getPaths()
          .values()
          .forEach(
              path ->
                  path.readOperations()
                      .forEach(
                          operation ->
                              operation
                                  .getResponses()
                                  .forEach(
                                      (code, response) -> {
                                        if (code.matches("[45]\\d\\d")) {
                                          response.setContent(problem);
                                        }
                                      })));
    };
  }

  /** Schemas named as the API's JSON is: snake_case. */
  @Bean
  ModelResolver snakeCaseSchemas() {
    return new ModelResolver(
        Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
  }
}

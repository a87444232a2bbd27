package io.batchexecutor.api;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Contact;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.lang.annotation.Annotation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document: titled, with the bearer-token scheme (so Swagger UI's "Authorize" takes a
 * token), with schemas in snake_case as the JSON on the wire is, JSON trees described by the JSON
 * they hold (see {@link JsonShape}), and every error answer a problem document.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  static final String PROBLEM = "ProblemDetail";
  static final String FIELD_ERROR = "FieldError";
  static final String RESULT_PATH = "/api/v1/tasks/{id}/result";

  @Bean
  OpenAPI batchExecutorApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("batch-executor")
                .version("v1")
                .license(
                    new License()
                        .name("Apache-2.0")
                        .url("https://www.apache.org/licenses/LICENSE-2.0"))
                .contact(new Contact().name("batch-executor maintainers"))
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
   * Every error answer is a problem document: each {@code /api} operation can answer 401 (no valid
   * token) and 403 (the operator's token, which names no client), and each 4xx/5xx response of
   * every operation gets the {@code application/problem+json} content with the {@value #PROBLEM}
   * schema, so the controllers declare an error answer by its code and description alone.
   */
  @Bean
  OpenApiCustomizer problemDocumentsForErrors() {
    return api -> {
      api.getComponents()
          .addSchemas(PROBLEM, ProblemSchemas.problem())
          .addSchemas(FIELD_ERROR, ProblemSchemas.fieldError());
      Content problem =
          new Content()
              .addMediaType(
                  "application/problem+json",
                  new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
      api.getPaths()
          .forEach(
              (name, path) ->
                  path.readOperations()
                      .forEach(
                          operation -> {
                            if (name.startsWith("/api/")
                                && !operation.getResponses().containsKey("401")) {
                              operation
                                  .getResponses()
                                  .addApiResponse(
                                      "401",
                                      new ApiResponse()
                                          .description(
                                              "No token, or not a valid one: send the client's"
                                                  + " token as Authorization: Bearer <token>"));
                            }
                            if (name.startsWith("/api/")
                                && !operation.getResponses().containsKey("403")) {
                              operation
                                  .getResponses()
                                  .addApiResponse(
                                      "403",
                                      new ApiResponse()
                                          .description(
                                              "The operator's token: it reads metrics and health,"
                                                  + " and names no client"));
                            }
                            operation
                                .getResponses()
                                .forEach(
                                    (code, response) -> {
                                      if (code.matches("[45]\\d\\d")) {
                                        response.setContent(problem);
                                      }
                                    });
                          }));
    };
  }

  /**
   * A task's result is any JSON value: a schema without a type, which annotations cannot give (a
   * response schema without one is given a type).
   */
  @Bean
  OpenApiCustomizer resultIsAnyJsonValue() {
    return api -> {
      PathItem result = api.getPaths().get(RESULT_PATH);
      if (result != null && result.getGet() != null) {
        result
            .getGet()
            .getResponses()
            .get("200")
            .getContent()
            .addMediaType(
                org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                new MediaType()
                    .schema(
                        JsonShape.Kind.ANY
                            .schema()
                            .description(
                                "The return value as JSON, any JSON value; a value JSON cannot"
                                    + " carry as {\"pickled\": true, \"type\": ..., \"repr\":"
                                    + " ...}")));
      }
    };
  }

  /** Schemas as the API's JSON is: snake_case, and JSON trees as the JSON they hold. */
  @Bean
  ModelResolver apiSchemas() {
    return new ApiModelResolver();
  }

  /**
   * Resolves Java types as swagger-core does, with names in snake_case (swagger-core reads them
   * with its own Jackson 2 mapper, not the application's), except JSON trees: Jackson 3's {@code
   * JsonNode} (whose getters swagger-core would otherwise list: node_type, pojo, ...) and {@code
   * Object} (a value of any JSON type, not only objects) are the JSON they hold, as the property's
   * {@link JsonShape} says.
   */
  static final class ApiModelResolver extends ModelResolver {

    ApiModelResolver() {
      super(Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
      openapi31(true);
    }

    @Override
    public Schema<?> resolve(
        AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> next) {
      if (type != null && type.getType() != null) {
        JavaType java = _mapper.constructType(type.getType());
        if (isJsonTree(java)) {
          return JsonShape.Kind.of(type.getCtxAnnotations()).schema();
        }
        // containers of trees here too: a tree resolved on its own would be given a type
        if (java.isMapLikeType() && isJsonTree(java.getContentType())) {
          return JsonShape.Kind.OBJECT.schema();
        }
        if (java.isCollectionLikeType() && isJsonTree(java.getContentType())) {
          return JsonShape.Kind.ARRAY.schema();
        }
      }
      return super.resolve(type, context, next);
    }

    /**
     * Bean Validation's bounds as OpenAPI 3.1 has them: swagger-core leaves out {@code @Positive}
     * and {@code @PositiveOrZero}, and gives an exclusive {@code @DecimalMin} as OpenAPI 3.0's
     * boolean, which a 3.1 document does not carry.
     */
    @Override
    @SuppressWarnings("rawtypes") // as swagger-core declares it
    protected boolean applyBeanValidatorAnnotations(
        Schema property, Annotation[] annotations, Schema parent, boolean applyNotNullAnnotations) {
      boolean modified =
          super.applyBeanValidatorAnnotations(
              property, annotations, parent, applyNotNullAnnotations);
      if (annotations == null || property == null) {
        return modified;
      }
      // a 3.1 schema has its type in types
      Set<?> types =
          property.getTypes() != null
              ? property.getTypes()
              : property.getType() != null ? Set.of(property.getType()) : Set.of();
      boolean integer = types.contains("integer");
      if (!integer && !types.contains("number")) {
        return modified;
      }
      for (Annotation annotation : annotations) {
        if (annotation instanceof Positive) {
          lowerBound(property, BigDecimal.ZERO, false, integer);
        } else if (annotation instanceof PositiveOrZero) {
          lowerBound(property, BigDecimal.ZERO, true, integer);
        } else if (annotation instanceof DecimalMin min) {
          lowerBound(property, new BigDecimal(min.value()), min.inclusive(), integer);
        } else {
          continue;
        }
        modified = true;
      }
      return modified;
    }

    /** {@code > bound}, or {@code >= bound} if inclusive; an integer's as its least value. */
    @SuppressWarnings("rawtypes")
    private static void lowerBound(
        Schema property, BigDecimal bound, boolean inclusive, boolean integer) {
      property.setExclusiveMinimum(null);
      property.setExclusiveMinimumValue(null);
      if (inclusive) {
        property.setMinimum(bound);
      } else if (integer) {
        property.setMinimum(bound.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE));
      } else {
        property.setMinimum(null);
        property.setExclusiveMinimumValue(bound);
      }
    }

    private static boolean isJsonTree(JavaType type) {
      return type != null
          && (JsonNode.class.isAssignableFrom(type.getRawClass())
              || type.getRawClass() == Object.class);
    }
  }
}

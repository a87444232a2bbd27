package io.batchexecutor.api;

import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a field typed as a JSON tree ({@code JsonNode}) holds, for the OpenAPI document: the Java
 * type says only "some JSON", the API takes a particular shape of it. A tree field without this
 * annotation is any JSON value.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.FIELD,
  ElementType.METHOD,
  ElementType.PARAMETER,
  ElementType.RECORD_COMPONENT
})
public @interface JsonShape {

  Kind value();

  /** The shapes of JSON the API takes. */
  enum Kind {
    /** Any JSON value: {@code {}}. */
    ANY,
    /** A JSON array of any values. */
    ARRAY,
    /** A JSON object of any values. */
    OBJECT,
    /** A JSON object whose values are arrays of any values. */
    OBJECT_OF_ARRAYS;

    /** This shape as a schema. */
    public Schema<?> schema() {
      return switch (this) {
        case ANY -> any();
        case ARRAY -> array();
        case OBJECT -> new ObjectSchema().additionalProperties(any());
        case OBJECT_OF_ARRAYS -> new ObjectSchema().additionalProperties(array());
      };
    }

    /** The shape that {@code annotations} (a property's) name: {@link #ANY} if none. */
    static Kind of(java.lang.annotation.Annotation[] annotations) {
      if (annotations != null) {
        for (java.lang.annotation.Annotation annotation : annotations) {
          if (annotation instanceof JsonShape shape) {
            return shape.value();
          }
        }
      }
      return ANY;
    }

    private static Schema<Object> any() {
      return new Schema<>();
    }

    private static Schema<?> array() {
      return new ArraySchema().items(any());
    }
  }
}

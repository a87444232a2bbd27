package io.batchexecutor.support.aws;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** One answer of the tests' AWS endpoint: status, content type and body, as sent. */
record AwsAnswer(int status, String contentType, byte[] body) {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String JSON_1_1 = "application/x-amz-json-1.1";
  static final String REST_JSON = "application/json";

  static AwsAnswer ok(JsonNode body, String contentType) {
    return new AwsAnswer(200, contentType, JSON.writeValueAsBytes(body));
  }

  /** An AWS error: {@code __type} and {@code message}, as the JSON protocols carry them. */
  static AwsAnswer error(int status, String type, String message, String contentType) {
    ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
    return new AwsAnswer(status, contentType, JSON.writeValueAsBytes(body));
  }

  /** A 400 {@code ClientException}, as AWS Batch refuses a request it does not accept. */
  static AwsAnswer clientException(String message) {
    return error(400, "ClientException", message, REST_JSON);
  }

  static JsonNode read(byte[] body) {
    return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
  }
}

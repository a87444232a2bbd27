package io.batchexecutor.support.aws;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What AWS Batch refuses of a RegisterJobDefinition or SubmitJob, as a {@code ClientException}'s
 * message: a Fargate definition, or one with secrets, without an execution role; a secret whose
 * valueFrom is no Secrets Manager or SSM reference; an environment variable named AWS_BATCH*; tags
 * past AWS's limits (50, keys 1-128, values up to 256, the prefix {@code aws:}); a job whose
 * definition's platform is not its queue's; on Fargate, a GPU or a vCPU/memory pair that is not a
 * Fargate size. Null when Batch accepts it.
 */
final class FakeBatchRules {

  private static final Set<Double> FARGATE_VCPUS = Set.of(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0);

  private FakeBatchRules() {}

  static String registerRefusal(JsonNode request) {
    boolean fargate = isFargate(request);
    if (fargate
        && request.path("containerProperties").path("executionRoleArn").asString("").isEmpty()) {
      return "Fargate job definitions require an executionRoleArn";
    }
    JsonNode container = request.path("containerProperties");
    if (!container.path("secrets").isEmpty()) {
      if (container.path("executionRoleArn").asString("").isEmpty()) {
        return "secrets require an executionRoleArn";
      }
      for (JsonNode secret : container.path("secrets")) {
        String from = secret.path("valueFrom").asString("");
        if (!from.startsWith("arn:aws:secretsmanager:") && !from.startsWith("arn:aws:ssm:")) {
          return "secret " + secret.path("name").asString() + ": invalid valueFrom";
        }
      }
    }
    String environment = reservedEnvironment(container.path("environment"));
    if (environment != null) {
      return environment;
    }
    if (fargate) {
      String size =
          sizeRefusal(request.path("containerProperties").path("resourceRequirements"), Map.of());
      if (size != null) {
        return size;
      }
    }
    return tagsRefusal(request.path("tags"));
  }

  static String submitRefusal(JsonNode request, JsonNode definition, boolean fargateQueue) {
    String environment =
        reservedEnvironment(request.path("containerOverrides").path("environment"));
    if (environment != null) {
      return environment;
    }
    if (definition == null) {
      return tagsRefusal(request.path("tags")); // the job fails when it runs, as before
    }
    boolean fargate = isFargate(definition);
    if (fargate != fargateQueue) {
      return "Job queue "
          + request.path("jobQueue").asString()
          + " is not compatible with the platform capabilities of job definition "
          + request.path("jobDefinition").asString();
    }
    if (!fargate) {
      for (JsonNode r : request.path("containerOverrides").path("resourceRequirements")) {
        if ("VCPU".equals(r.path("type").asString())) {
          double vcpu = Double.parseDouble(r.path("value").asString("0"));
          if (vcpu < 1 || vcpu != Math.rint(vcpu)) {
            return "Invalid vCPU value "
                + r.path("value").asString()
                + ": jobs on EC2 resources take a whole number of vCPUs, at least 1";
          }
        }
      }
    }
    if (fargate) {
      Map<String, String> base = new HashMap<>();
      definition
          .path("containerProperties")
          .path("resourceRequirements")
          .forEach(r -> base.put(r.path("type").asString(), r.path("value").asString()));
      String size =
          sizeRefusal(request.path("containerOverrides").path("resourceRequirements"), base);
      if (size != null) {
        return size;
      }
    }
    int tags = request.path("tags").size();
    if (request.path("propagateTags").asBoolean(false)) {
      tags += definition.path("tags").size();
    }
    if (tags > 50) {
      return "too many tags: " + tags + " with the job definition's (at most 50)";
    }
    return tagsRefusal(request.path("tags"));
  }

  private static String reservedEnvironment(JsonNode environment) {
    for (JsonNode e : environment) {
      if (e.path("name").asString("").startsWith("AWS_BATCH")) {
        return "Environment variables cannot start with AWS_BATCH: " + e.path("name").asString();
      }
    }
    return null;
  }

  private static boolean isFargate(JsonNode definition) {
    for (JsonNode p : definition.path("platformCapabilities")) {
      if ("FARGATE".equals(p.asString())) {
        return true;
      }
    }
    return false;
  }

  private static String sizeRefusal(JsonNode overrides, Map<String, String> base) {
    Map<String, String> resources = new HashMap<>(base);
    overrides.forEach(r -> resources.put(r.path("type").asString(), r.path("value").asString()));
    if (resources.containsKey("GPU")) {
      return "GPU resources are not supported on Fargate";
    }
    double vcpu = Double.parseDouble(resources.getOrDefault("VCPU", "0"));
    long memory = Long.parseLong(resources.getOrDefault("MEMORY", "0"));
    if (!FARGATE_VCPUS.contains(vcpu) || !fargateMemory(vcpu, memory)) {
      return "Fargate resource requirements are invalid: VCPU " + vcpu + ", MEMORY " + memory;
    }
    return null;
  }

  private static boolean fargateMemory(double vcpu, long m) {
    if (vcpu == 0.25) {
      return m == 512 || m == 1024 || m == 2048;
    }
    long[] range =
        vcpu == 0.5
            ? new long[] {1024, 4096, 1024}
            : vcpu == 1
                ? new long[] {2048, 8192, 1024}
                : vcpu == 2
                    ? new long[] {4096, 16384, 1024}
                    : vcpu == 4
                        ? new long[] {8192, 30720, 1024}
                        : vcpu == 8
                            ? new long[] {16384, 61440, 4096}
                            : new long[] {32768, 122880, 8192};
    return m >= range[0] && m <= range[1] && (m - range[0]) % range[2] == 0;
  }

  private static String tagsRefusal(JsonNode tags) {
    if (tags.size() > 50) {
      return "too many tags: " + tags.size() + " (at most 50)";
    }
    for (Map.Entry<String, JsonNode> tag : tags.properties()) {
      String key = tag.getKey();
      if (key.isEmpty() || key.length() > 128) {
        return "tag key " + key + " must be 1-128 characters";
      }
      if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
        return "tag key " + key + ": the aws: prefix is reserved";
      }
      if (tag.getValue().asString("").length() > 256) {
        return "tag value of " + key + " must be at most 256 characters";
      }
    }
    return null;
  }
}

package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tags a task's job carries for cost attribution: its task id, client, execution profile and
 * workflow, then the tags its execution profile's operator defines ({@code
 * batch-executor.execution-profiles.<name>.awsbatch.tags}). With {@code propagateTags} Batch puts
 * them, and the job definition's, on the ECS task, where Cost Explorer sees them.
 *
 * <p>AWS's rules are checked when the profiles are read: at most 50 tags on a resource, and a job
 * whose tags together with its definition's pass 50 fails, so a profile may define {@link
 * #MAX_PROFILE_TAGS}; keys of 1-128 and values of 0-256 letters, digits, spaces and {@code + - = .
 * _ : / @}; the prefix {@code aws:} (any case) is AWS's, and {@code batch-executor:} ours.
 */
final class JobTags {

  static final String TASK_ID = "batch-executor:task-id";
  static final String CLIENT = "batch-executor:client";
  static final String WORKFLOW_ID = "batch-executor:workflow-id";

  /** AWS's limit of tags on a resource, and of a job's and its definition's together. */
  static final int MAX_TAGS = 50;

  /** What a profile may add: 50 less the job's own 4 and the definition's 2. */
  static final int MAX_PROFILE_TAGS = MAX_TAGS - 4 - 2;

  private static final Pattern ALLOWED = Pattern.compile("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$");

  private final Map<String, Map<String, String>> byProfile;

  /**
   * @param byProfile each execution profile's tags, checked ({@link #check})
   */
  JobTags(Map<String, Map<String, String>> byProfile) {
    this.byProfile = Map.copyOf(byProfile);
  }

  /**
   * The tags of each execution profile's jobs, checked against AWS's rules: a profile AWS would
   * refuse stops the service, naming the setting.
   */
  static JobTags of(TenancyProperties tenancy) {
    Map<String, Map<String, String>> byProfile = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    tenancy
        .executionProfiles()
        .forEach(
            (name, profile) -> {
              Map<String, String> tags = profile.awsbatch().tags();
              problems.addAll(
                  check("batch-executor.execution-profiles." + name + ".awsbatch.tags", tags));
              byProfile.put(name, tags);
            });
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Invalid job tags: " + String.join("; ", problems));
    }
    return new JobTags(byProfile);
  }

  static JobTags none() {
    return new JobTags(Map.of());
  }

  /** The tags of {@code task}'s job: the profile's, then ours (which win). */
  Map<String, String> of(Task task) {
    Map<String, String> tags = new TreeMap<>();
    String profile = task.settings().executionProfile();
    if (profile != null) {
      tags.putAll(byProfile.getOrDefault(profile, Map.of()));
      tags.put(JobDefinitions.PROFILE_TAG, profile);
    }
    tags.put(TASK_ID, task.id().toString());
    tags.put(CLIENT, task.owner());
    if (task.workflowId() != null) {
      tags.put(WORKFLOW_ID, task.workflowId().toString());
    }
    return tags;
  }

  /**
   * What is wrong with the tags {@code tags} an operator set at {@code at}, as messages naming the
   * setting; none when AWS accepts them beside ours.
   */
  static List<String> check(String at, Map<String, String> tags) {
    List<String> problems = new ArrayList<>();
    if (tags.size() > MAX_PROFILE_TAGS) {
      problems.add(
          at
              + ": "
              + tags.size()
              + " tags, at most "
              + MAX_PROFILE_TAGS
              + " (AWS allows "
              + MAX_TAGS
              + " on a job and its definition together, of which batch-executor sets 6)");
    }
    new TreeMap<>(tags)
        .forEach(
            (key, value) -> {
              String v = value == null ? "" : value;
              String lower = key.toLowerCase(Locale.ROOT);
              if (key.isEmpty() || key.length() > 128 || !ALLOWED.matcher(key).matches()) {
                problems.add(
                    at
                        + "."
                        + key
                        + ": a tag key is 1-128 letters, digits, spaces and + - = . _ : / @");
              } else if (lower.startsWith("aws:")) {
                problems.add(at + "." + key + ": the prefix aws: is reserved by AWS");
              } else if (lower.startsWith("batch-executor:")) {
                problems.add(at + "." + key + ": the prefix batch-executor: is the service's own");
              }
              if (v.length() > 256 || !ALLOWED.matcher(v).matches()) {
                problems.add(
                    at
                        + "."
                        + key
                        + ": a tag value is 0-256 letters, digits, spaces and + - = . _ : / @");
              }
            });
    return problems;
  }
}

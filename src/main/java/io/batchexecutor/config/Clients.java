package io.batchexecutor.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The clients' settings, checked at start-up: each configured client's name follows {@link
 * ClientNames} and every execution profile it lists exists. A client without an entry of its own
 * (one known only by its token) gets {@code batch-executor.client-defaults}; with nothing
 * configured there either, a client may use the backend's default profile only.
 */
@Component
public class Clients implements ClientLimits {

  /** In a list of execution profiles: every profile. */
  public static final String EVERY_PROFILE = "*";

  private final Map<String, List<ExecutionProfile>> byClient;
  private final List<ExecutionProfile> defaults;
  private final TenancyProperties tenancy;

  public Clients(TenancyProperties tenancy, ExecutionProfiles profiles) {
    this.tenancy = tenancy;
    this.defaults =
        allowed(
            tenancy.clientDefaults().executionProfiles(),
            "batch-executor.client-defaults.execution-profiles",
            profiles);
    Map<String, List<ExecutionProfile>> clients = new LinkedHashMap<>();
    tenancy
        .clients()
        .forEach(
            (name, client) -> {
              String at = "batch-executor.clients." + name;
              ClientNames.checked(name, at);
              clients.put(
                  name,
                  client.executionProfiles() == null
                      ? defaults
                      : allowed(client.executionProfiles(), at + ".execution-profiles", profiles));
            });
    this.byClient = Collections.unmodifiableMap(clients);
  }

  @Override
  public int maxFollows(String client) {
    Integer max = settingsOf(client).maxFollows();
    return max != null ? max : DEFAULT_MAX_FOLLOWS;
  }

  @Override
  public int maxHeldWaits(String client) {
    Integer max = settingsOf(client).maxHeldWaits();
    return max != null ? max : DEFAULT_MAX_HELD_WAITS;
  }

  @Override
  public int maxUnfinishedTasks(String client) {
    Integer max = settingsOf(client).maxUnfinishedTasks();
    return max != null ? max : DEFAULT_MAX_UNFINISHED_TASKS;
  }

  @Override
  public double submissionsPerSecond(String client) {
    Double rate = settingsOf(client).submissionsPerSecond();
    return rate != null ? rate : DEFAULT_SUBMISSIONS_PER_SECOND;
  }

  @Override
  public int submissionBurst(String client) {
    Integer burst = settingsOf(client).submissionBurst();
    return burst != null ? burst : DEFAULT_SUBMISSION_BURST;
  }

  @Override
  public int maxRunsPerRequest(String client) {
    Integer max = settingsOf(client).maxRunsPerRequest();
    return max != null ? max : DEFAULT_MAX_RUNS_PER_REQUEST;
  }

  private TenancyProperties.Client settingsOf(String client) {
    TenancyProperties.Client own = tenancy.clients().get(client);
    return own == null ? tenancy.clientDefaults() : own.orElse(tenancy.clientDefaults());
  }

  /** The names of the clients with an entry of their own. */
  public Set<String> configured() {
    return byClient.keySet();
  }

  /**
   * The execution profiles {@code client} may use, its default first; empty when it may use none.
   */
  public List<ExecutionProfile> profilesOf(String client) {
    return byClient.getOrDefault(client, defaults);
  }

  private static List<ExecutionProfile> allowed(
      List<String> names, String at, ExecutionProfiles profiles) {
    if (names == null) {
      return profiles.defaults();
    }
    List<ExecutionProfile> allowed = new ArrayList<>();
    for (String name : names) {
      String listed = name == null ? "" : name.strip();
      if (listed.equals(EVERY_PROFILE)) {
        profiles.all().stream().filter(p -> !allowed.contains(p)).forEach(allowed::add);
        continue;
      }
      ExecutionProfile profile =
          profiles
              .named(listed)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          at
                              + " names '"
                              + listed
                              + "', which is no execution profile (there are: "
                              + String.join(
                                  ", ",
                                  profiles.all().stream().map(ExecutionProfile::name).toList())
                              + ")"));
      if (!allowed.contains(profile)) {
        allowed.add(profile);
      }
    }
    return List.copyOf(allowed);
  }
}

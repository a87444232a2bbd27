package io.batchexecutor.image;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * How pip installs a task's requirements in its image: from which index, and whether it may build a
 * package from its source distribution (which runs that package's own build code in the build).
 *
 * @param indexUrl the package index (PEP 503 simple API); {@code null}: pip's default
 * @param allowSourceBuilds false: wheels only ({@code --only-binary=:all:})
 */
public record PipInstall(URI indexUrl, boolean allowSourceBuilds) {

  /** pip's default index, wheels only. */
  public static final PipInstall WHEELS_FROM_DEFAULT_INDEX = new PipInstall(null, false);

  /** The options that go before the requirements on {@code pip install}'s command line. */
  public List<String> options() {
    List<String> options = new ArrayList<>(List.of("--no-cache-dir"));
    if (!allowSourceBuilds) {
      options.add("--only-binary=:all:");
    }
    if (indexUrl != null) {
      options.add("--index-url");
      options.add(indexUrl.toString());
    }
    return options;
  }
}

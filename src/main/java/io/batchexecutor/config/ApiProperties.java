package io.batchexecutor.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code batch-executor.api.*}: limits of the HTTP API.
 *
 * @param maxRequestSize Largest request body accepted (413 above it).
 * @param bodyDeadline How long a request's whole body may take to arrive, from its headers; a body
 *     still incomplete then is answered 408 and its connection closed. Bodies are read without
 *     holding a request thread, so a slow one keeps nobody else waiting.
 * @param bodiesPerClient How many request bodies of one client are read into memory at once; a
 *     further one is answered 429 with Retry-After, so that no client can hold the memory others'
 *     requests need.
 * @param maxSourceSize Largest function source accepted.
 * @param maxPageSize Largest page a listing returns.
 * @param requestThreads How many requests the web server works on at once (the rest wait their turn
 *     in order); 0, the default, means four a core and at least 8. Waiting answers (?wait=,
 *     ?follow=true) hold no thread. Takes the place of server.tomcat.threads.max.
 */
public record ApiProperties(
    @NotNull @DefaultValue("5MB") DataSize maxRequestSize,
    @NotNull @DefaultValue("60s") Duration bodyDeadline,
    @Min(1) @Max(10000) @DefaultValue("8") int bodiesPerClient,
    @NotNull @DefaultValue("1MB") DataSize maxSourceSize,
    @Min(1) @Max(1000) @DefaultValue("200") int maxPageSize,
    @Min(0) @Max(10000) @DefaultValue("0") int requestThreads) {

  /** {@link #requestThreads}, with 0 worked out for {@code cores} cores. */
  public int requestThreads(int cores) {
    return requestThreads > 0 ? requestThreads : Math.max(8, 4 * cores);
  }
}

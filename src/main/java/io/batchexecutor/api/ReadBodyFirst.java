package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.security.ApiTokens;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request's body before any work starts on it, without a request thread, and within one
 * deadline for the whole body ({@code batch-executor.api.body-deadline}).
 *
 * <p>The web server has few request threads (sized to the cores). A thread that read a body the
 * usual way would wait for every byte, and a client sending a byte every few seconds — no read
 * timeout ever trips on such a trickle — would hold it for as long as it liked; a handful of them
 * would stop the API for everyone. Here a body is read asynchronously: the thread is given back
 * while bytes are awaited, the bytes are gathered in memory (never more than {@code
 * max-request-size}), and only once the body is whole is the request dispatched again, with the
 * gathered body, to the security filters and the controllers. A body not whole by the deadline is
 * answered {@code 408} and its connection closed.
 *
 * <p>A body is never read when it could not be used: one whose declared length is over the limit is
 * answered 413 at once, and a call that is not to {@code /api/**} with a client's token (the only
 * calls that take a body) goes on at once with an empty body, to be answered by the security
 * filters (401, or 403 to the operator's token) or the controllers. Either connection is closed
 * instead of reading the rest: the reads stay non-blocking, so not even the server's draining of an
 * unread body holds a thread.
 *
 * <p>Bodies held in memory are bounded per client ({@code batch-executor.api.bodies-per-client} at
 * once, each at most {@code max-request-size}): a client that opens more connections than that gets
 * 429 with {@code Retry-After} for the rest, so no client can hold the heap that others' requests
 * need.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ReadBodyFirst extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(ReadBodyFirst.class);
  private static final String BODY = ReadBodyFirst.class.getName() + ".body";

  private final long limit;
  private final Duration deadline;
  private final TaskScheduler scheduler;
  private final ApiTokens tokens;
  private final JsonMapper json;
  private final int bodiesPerClient;
  private final ConcurrentHashMap<String, AtomicInteger> gathering = new ConcurrentHashMap<>();

  public ReadBodyFirst(
      BatchExecutorProperties properties,
      TaskScheduler scheduler,
      ApiTokens tokens,
      JsonMapper json) {
    this.limit = properties.api().maxRequestSize().toBytes();
    this.deadline = properties.api().bodyDeadline();
    this.scheduler = scheduler;
    this.tokens = tokens;
    this.json = json;
    this.bodiesPerClient = properties.api().bodiesPerClient();
  }

  /** The second dispatch, with the body gathered, passes here too: it carries the body on. */
  @Override
  protected boolean shouldNotFilterAsyncDispatch() {
    return false;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getAttribute(BODY) instanceof byte[] body) {
      request.removeAttribute(BODY);
      chain.doFilter(new GatheredBodyRequest(request, body), response);
      return;
    }
    if (request.getDispatcherType() != DispatcherType.REQUEST
        || !hasBody(request)
        || !request.isAsyncSupported()) {
      chain.doFilter(request, response);
      return;
    }
    // the server's own request and response: the body is read from the connection itself
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // the deadline below is the only one
    ServletInputStream in = async.getRequest().getInputStream();
    if (request.getContentLengthLong() > limit) {
      in.setReadListener(new ReadNothing());
      answer(request, response, async, tooLarge());
      return;
    }
    Optional<String> client = client(request);
    if (client.isEmpty()) {
      // not read at all: the security filters answer, and the connection is not kept for the rest
      response.setHeader("Connection", "close");
      in.setReadListener(new ReadNothing());
      request.setAttribute(BODY, new byte[0]);
      async.dispatch();
      return;
    }
    AtomicInteger held = gathering.computeIfAbsent(client.get(), c -> new AtomicInteger());
    if (held.incrementAndGet() > bodiesPerClient) {
      held.decrementAndGet();
      in.setReadListener(new ReadNothing());
      response.setHeader("Retry-After", "1");
      answer(
          request,
          response,
          async,
          Problems.of(
              HttpStatus.TOO_MANY_REQUESTS,
              Problems.TOO_MANY_BODIES,
              "Too many request bodies at once",
              "at most "
                  + bodiesPerClient
                  + " request bodies of one client are read at once"
                  + " (batch-executor.api.bodies-per-client); send this one again when one has"
                  + " arrived"));
      return;
    }
    Gather gather = new Gather(request, response, async, in, held);
    gather.expiry =
        scheduler.schedule(gather::expire, scheduler.getClock().instant().plus(deadline));
    in.setReadListener(gather);
  }

  /** How many request bodies of {@code client} are arriving on this instance now. */
  int bodiesOf(String client) {
    AtomicInteger held = gathering.get(client);
    return held == null ? 0 : held.get();
  }

  private ProblemDetail tooLarge() {
    return Problems.of(
        HttpStatus.CONTENT_TOO_LARGE,
        Problems.REQUEST_TOO_LARGE,
        "Request too large",
        "the request body must be at most " + limit + " bytes");
  }

  private static boolean hasBody(HttpServletRequest request) {
    return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
  }

  /**
   * The client whose body is worth reading: a call to {@code /api/**} with its token. Nothing else
   * takes a body.
   */
  private Optional<String> client(HttpServletRequest request) {
    if (!request.getRequestURI().startsWith("/api/")) {
      return Optional.empty();
    }
    return ApiTokens.bearer(request.getHeader("Authorization")).flatMap(tokens::clientFor);
  }

  /** Gathers one body; the first of its end, its overflow, an error or the deadline wins. */
  private final class Gather implements ReadListener {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final AtomicInteger held;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[8192];
    private volatile ScheduledFuture<?> expiry;
    private boolean over;

    Gather(
        HttpServletRequest request,
        HttpServletResponse response,
        AsyncContext async,
        ServletInputStream in,
        AtomicInteger held) {
      this.request = request;
      this.response = response;
      this.async = async;
      this.in = in;
      this.held = held;
    }

    @Override
    public void onDataAvailable() throws IOException {
      synchronized (this) {
        while (!over && in.isReady()) {
          int n = in.read(chunk);
          if (n < 0) {
            return; // onAllDataRead follows
          }
          if (body.size() + (long) n > limit) {
            answer(tooLarge());
            return;
          }
          body.write(chunk, 0, n);
        }
      }
    }

    @Override
    public void onAllDataRead() {
      synchronized (this) {
        if (end()) {
          async.getRequest().setAttribute(BODY, body.toByteArray());
          async.dispatch();
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        if (end()) {
          log.debug("reading the body of {} failed: {}", request.getRequestURI(), t.toString());
          async.complete();
        }
      }
    }

    void expire() {
      synchronized (this) {
        if (!over) {
          answer(
              Problems.of(
                  HttpStatus.REQUEST_TIMEOUT,
                  Problems.BODY_TOO_SLOW,
                  "Request body too slow",
                  "the whole request body must arrive within "
                      + deadline.toSeconds()
                      + " s (batch-executor.api.body-deadline); "
                      + body.size()
                      + " bytes had"));
        }
      }
    }

    /** Marks the body's end once; true for the one caller that ended it. */
    private boolean end() {
      if (over) {
        return false;
      }
      over = true;
      held.decrementAndGet();
      ScheduledFuture<?> timer = expiry;
      if (timer != null) {
        timer.cancel(false);
      }
      return true;
    }

    private void answer(ProblemDetail problem) {
      if (end()) {
        ReadBodyFirst.this.answer(request, response, async, problem);
      }
    }
  }

  /** Answers with {@code problem} and closes the connection, the rest of the body unread. */
  private void answer(
      HttpServletRequest request,
      HttpServletResponse response,
      AsyncContext async,
      ProblemDetail problem) {
    try {
      problem.setInstance(URI.create(request.getRequestURI()));
      response.setStatus(problem.getStatus());
      response.setHeader("Connection", "close");
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      json.writeValue(response.getOutputStream(), problem);
    } catch (IOException | RuntimeException e) {
      log.debug("answering {} failed: {}", request.getRequestURI(), e.toString());
    } finally {
      async.complete();
    }
  }
}

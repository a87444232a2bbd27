package io.batchexecutor.security;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ExecutorSettingsResolver;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer-token authentication for the API: every {@code /api/**} call names its client with {@code
 * Authorization: Bearer <token>}; health and the OpenAPI document (and Swagger UI, which can take a
 * token) stay open. A call without a valid token gets a 401 problem. Health answers everyone with
 * the overall status, and shows its components and their details only to a caller that sends a
 * valid token ({@code management.endpoint.health.show-details: when-authorized}): a token that is
 * not valid counts as none there, as everywhere.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

  static final String UNAUTHORIZED = "urn:problem-type:batch-executor:unauthorized";

  @Bean
  ApiTokens apiTokens(BatchExecutorProperties properties, ExecutorSettingsResolver settings) {
    return ApiTokens.of(
        properties.security().tokens(),
        Path.of(settings.defaults().cacheDir(), "api-token"),
        System.out);
  }

  /**
   * No observation around each security filter, authentication and authorization: a request is
   * observed once, as {@code http.server.requests}; the per-filter wrappers cost more than the
   * filters they measure.
   */
  @Bean
  SecurityObservationSettings securityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  /** No user accounts: only tokens (this also keeps Boot from making and logging a password). */
  @Bean
  UserDetailsService noUsers() {
    return new InMemoryUserDetailsManager();
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http, ApiTokens tokens, JsonMapper json) throws Exception {
    return http.csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .addFilterBefore(new BearerTokenFilter(tokens), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(
            a ->
                a.requestMatchers("/api/**", "/actuator/prometheus")
                    .authenticated()
                    .anyRequest()
                    .permitAll())
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                    (request, response, ex) -> unauthorized(request, response, json)))
        .build();
  }

  private static void unauthorized(
      HttpServletRequest request, HttpServletResponse response, JsonMapper json)
      throws IOException {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.UNAUTHORIZED, "send the client's token as 'Authorization: Bearer <token>'");
    problem.setType(URI.create(UNAUTHORIZED));
    problem.setTitle("Unauthorized");
    problem.setInstance(URI.create(request.getRequestURI()));
    response.setStatus(HttpStatus.UNAUTHORIZED.value());
    response.setHeader("WWW-Authenticate", "Bearer");
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }

  /** Authenticates a request by its bearer token; the principal is the client's name. */
  static final class BearerTokenFilter extends OncePerRequestFilter {
    private final ApiTokens tokens;

    BearerTokenFilter(ApiTokens tokens) {
      this.tokens = tokens;
    }

    /** A held answer ({@code ?wait=}) is sent in a second dispatch, authorized again. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
      return false;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String header = request.getHeader("Authorization");
      if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        tokens
            .clientFor(header.substring(7).strip())
            .ifPresent(
                client ->
                    SecurityContextHolder.getContext()
                        .setAuthentication(
                            UsernamePasswordAuthenticationToken.authenticated(
                                client, null, List.of())));
      }
      chain.doFilter(request, response);
    }
  }
}

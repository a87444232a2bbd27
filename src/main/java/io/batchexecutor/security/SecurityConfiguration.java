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
import java.util.Optional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer-token authentication. Two kinds of caller: a client, whose token names it on every {@code
 * /api/**} call ({@code Authorization: Bearer <token>}), and the operator, whose one token reads
 * the Prometheus metrics and the health details — which tell of every client's work — and is no
 * client, though it may read every client's usage ({@code GET /api/v1/usage}). Health's overall
 * status and the OpenAPI document (and Swagger UI, which can take a token) stay open. A call
 * without a valid token gets a 401 problem; a valid token of the other kind a 403 problem. Health
 * shows its components and their details to the operator only ({@code
 * management.endpoint.health.roles: OPERATOR}); any other caller gets the overall status.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

  static final String UNAUTHORIZED = "urn:problem-type:batch-executor:unauthorized";
  static final String FORBIDDEN = "urn:problem-type:batch-executor:forbidden";

  /** The authority of a client's token (Spring's role {@code CLIENT}). */
  static final String CLIENT = "CLIENT";

  /** The authority of the operator's token (Spring's role {@code OPERATOR}). */
  static final String OPERATOR = "OPERATOR";

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
  OperatorToken operatorToken(
      BatchExecutorProperties properties, ExecutorSettingsResolver settings, ApiTokens clients) {
    return OperatorToken.of(
        properties.security().operatorToken(),
        Path.of(settings.defaults().cacheDir(), "operator-token"),
        clients,
        System.out);
  }

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
  SecurityFilterChain api(
      HttpSecurity http, ApiTokens tokens, OperatorToken operator, JsonMapper json)
      throws Exception {
    return http.csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .addFilterBefore(
            new BearerTokenFilter(tokens, operator), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(
            a ->
                a.requestMatchers(HttpMethod.GET, "/api/v1/usage")
                    .hasAnyRole(CLIENT, OPERATOR)
                    .requestMatchers("/api/**")
                    .hasRole(CLIENT)
                    .requestMatchers("/actuator/prometheus")
                    .hasRole(OPERATOR)
                    .anyRequest()
                    .permitAll())
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) ->
                            problem(
                                request,
                                response,
                                json,
                                HttpStatus.UNAUTHORIZED,
                                UNAUTHORIZED,
                                "send the client's token as 'Authorization: Bearer <token>'"))
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            problem(
                                request,
                                response,
                                json,
                                HttpStatus.FORBIDDEN,
                                FORBIDDEN,
                                request.getRequestURI().startsWith("/api/")
                                    ? "the API is for clients: the operator's token names no"
                                        + " client"
                                    : "only the operator's token reads this")))
        .build();
  }

  private static void problem(
      HttpServletRequest request,
      HttpServletResponse response,
      JsonMapper json,
      HttpStatus status,
      String type,
      String detail)
      throws IOException {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create(type));
    problem.setTitle(status.getReasonPhrase());
    problem.setInstance(URI.create(request.getRequestURI()));
    response.setStatus(status.value());
    if (status == HttpStatus.UNAUTHORIZED) {
      response.setHeader("WWW-Authenticate", "Bearer");
    }
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }

  /**
   * Authenticates a request by its bearer token: a client's token as that client (the principal is
   * its name) with role {@code CLIENT}, the operator's as role {@code OPERATOR} alone. A client may
   * bear any name, {@code operator} too: the roles tell the two kinds apart, never the name.
   */
  static final class BearerTokenFilter extends OncePerRequestFilter {
    private static final List<SimpleGrantedAuthority> AS_CLIENT =
        List.of(new SimpleGrantedAuthority("ROLE_" + CLIENT));
    private static final List<SimpleGrantedAuthority> AS_OPERATOR =
        List.of(new SimpleGrantedAuthority("ROLE_" + OPERATOR));

    private final ApiTokens tokens;
    private final OperatorToken operator;

    BearerTokenFilter(ApiTokens tokens, OperatorToken operator) {
      this.tokens = tokens;
      this.operator = operator;
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
      Optional<String> bearer = ApiTokens.bearer(request.getHeader("Authorization"));
      if (bearer.isPresent()) {
        String token = bearer.get();
        boolean isOperator = operator.matches(token); // both compared, every time
        tokens
            .clientFor(token)
            .map(
                client ->
                    UsernamePasswordAuthenticationToken.authenticated(client, null, AS_CLIENT))
            .or(
                () ->
                    isOperator
                        ? Optional.of(
                            UsernamePasswordAuthenticationToken.authenticated(
                                "operator", null, AS_OPERATOR))
                        : Optional.empty())
            .ifPresent(
                authentication ->
                    SecurityContextHolder.getContext().setAuthentication(authentication));
      }
      chain.doFilter(request, response);
    }
  }
}

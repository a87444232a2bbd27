package io.batchexecutor.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * The dashboard's static files ({@code /}, {@code /index.html}, {@code /assets/**}): open to
 * everyone (they hold no data; the dashboard reads the API with the client's token, which stays
 * token-only), and served with a strict Content-Security-Policy — scripts, styles and connections
 * from this origin only, no inline script or style, no framing — plus {@code
 * X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}. Only these paths get
 * the policy: Swagger UI, at its own path, keeps the headers of the rest of the service.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardSecurity {

  /** The dashboard's paths. */
  static final String[] PATHS = {"/", "/index.html", "/assets/**"};

  /** The Content-Security-Policy of the dashboard's pages and assets. */
  public static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** Before the API's chain, which matches every other request. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  SecurityFilterChain dashboard(HttpSecurity http) throws Exception {
    return http.securityMatcher(PATHS)
        .csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .anonymous(a -> a.disable())
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .headers(
            h ->
                h.contentSecurityPolicy(c -> c.policyDirectives(POLICY))
                    .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER))
                    .frameOptions(f -> f.deny())
                    .contentTypeOptions(o -> {}))
        .build();
  }
}

package io.batchexecutor.security;

import io.batchexecutor.config.Clients;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says at start-up which clients are configured ({@code batch-executor.clients.<name>}) but have no
 * token: they cannot call, which is what an operator wants while a client is suspended and is a
 * misspelt name otherwise. A client with a token and no entry gets {@code client-defaults}.
 */
@Component
class ClientsWithoutTokens {

  private static final Logger log = LoggerFactory.getLogger(ClientsWithoutTokens.class);

  private final Clients clients;
  private final ApiTokens tokens;

  ClientsWithoutTokens(Clients clients, ApiTokens tokens) {
    this.clients = clients;
    this.tokens = tokens;
  }

  @EventListener(ApplicationReadyEvent.class)
  void warn() {
    List<String> missing =
        clients.configured().stream().filter(c -> !tokens.clients().contains(c)).toList();
    if (!missing.isEmpty()) {
      log.warn(
          "Clients configured under batch-executor.clients without a token (they cannot call): {}",
          String.join(", ", missing));
    }
  }
}

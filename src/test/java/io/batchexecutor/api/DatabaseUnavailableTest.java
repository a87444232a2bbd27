package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Which failures mean "the database does not answer", and which "another transaction stopped this
 * one" (each a 503 of its own kind), however Spring wrapped them.
 */
class DatabaseUnavailableTest {

  @Test
  void aServerShuttingDownOrALostConnectionIsUnavailability() {
    assertThat(
            ProblemHandler.databaseUnavailable(
                new UncategorizedSQLException(
                    "update",
                    "UPDATE task",
                    new SQLException(
                        "FATAL: terminating connection due to administrator command", "57P01"))))
        .isTrue();
    assertThat(
            ProblemHandler.databaseUnavailable(
                new TransactionSystemException(
                    "JDBC rollback failed", new SQLException("I/O error", "08006"))))
        .isTrue();
    assertThat(
            ProblemHandler.databaseUnavailable(
                new RuntimeException(new SQLTransientConnectionException("pool timed out"))))
        .isTrue();
    assertThat(
            ProblemHandler.databaseUnavailable(
                new TransactionSystemException(
                    "JDBC rollback failed", new SQLException("Connection is closed"))))
        .as("the pool's closed connection has no SQLSTATE")
        .isTrue();
  }

  @Test
  void aDeadlockASerializationFailureOrALockNotWaitedForIsBusyNotUnavailable() {
    for (String state : new String[] {"40P01", "40001", "55P03"}) {
      RuntimeException wrapped =
          new PessimisticLockingFailureException(
              "UPDATE task", new SQLException("stopped by another transaction", state));
      assertThat(ProblemHandler.databaseBusy(wrapped)).as(state).isTrue();
      assertThat(ProblemHandler.databaseUnavailable(wrapped)).as(state).isFalse();
    }
    assertThat(
            ProblemHandler.databaseBusy(
                new UncategorizedSQLException(
                    "insert", "INSERT", new SQLException("duplicate key", "23505"))))
        .isFalse();
    assertThat(ProblemHandler.databaseBusy(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void anAnswerFromTheDatabaseIsNot() {
    assertThat(
            ProblemHandler.databaseUnavailable(
                new UncategorizedSQLException(
                    "insert", "INSERT", new SQLException("duplicate key", "23505"))))
        .isFalse();
    assertThat(ProblemHandler.databaseUnavailable(new IllegalStateException("bug"))).isFalse();
    assertThat(
            ProblemHandler.databaseUnavailable(
                new TransactionSystemException(
                    "commit failed", new SQLException("could not serialize", "40001"))))
        .isFalse();
  }
}

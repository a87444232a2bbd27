package io.batchexecutor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Runs Python tasks on AWS Batch, or on the local Docker engine, for any client that speaks HTTP.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BatchExecutorApplication {

  public static void main(String[] args) {
    SpringApplication.run(BatchExecutorApplication.class, args);
  }
}

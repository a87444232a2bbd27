package io.batchexecutor.api;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/** Serves what a task produced: its result and its logs. */
@Component
public class TaskOutputs {

  ResponseEntity<?> result(Task task, String accept) {
    if (!task.status().isFinal()) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_NOT_FINISHED,
              "Task not finished",
              "task "
                  + task.id()
                  + " is "
                  + task.status()
                  + "; its result is there once it SUCCEEDED")
          .withProperty("status_of_task", task.status());
    }
    if (task.status() != TaskStatus.SUCCEEDED) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_FAILED,
              "Task has no result",
              "task " + task.id() + " is " + task.status() + ": " + task.statusReason())
          .withProperty("status_of_task", task.status())
          .withProperty("error", task.error());
    }
    throw new ProblemException(
        HttpStatus.CONFLICT,
        Problems.TASK_NOT_FINISHED,
        "Result not available",
        "task " + task.id() + " has no stored result");
  }

  ResponseEntity<String> logs(Task task) {
    throw new ProblemException(
        HttpStatus.CONFLICT,
        Problems.NO_LOGS,
        "No logs",
        "task " + task.id() + " is " + task.status() + " and has produced no output yet");
  }
}

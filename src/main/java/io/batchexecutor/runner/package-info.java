/**
 * The contract between the service and the task runner ({@code runner.py}, part of every task
 * image): the environment variables the service sets, the exit codes, the files the runner writes
 * and the shape of {@code result.json}. {@code RunnerContractTest} holds {@code runner.py} to the
 * same constants.
 */
package io.batchexecutor.runner;

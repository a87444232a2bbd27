package io.batchexecutor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import org.springframework.web.bind.annotation.RestController;

/** The package rules of the code base; each rule fails if it matches no class at all. */
@AnalyzeClasses(packages = "io.batchexecutor", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule areasHaveNoCycles =
      slices().matching("io.batchexecutor.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule theTaskModelKnowsNothingOfHttpOrThePipeline =
      noClasses()
          .that()
          .resideInAPackage("io.batchexecutor.task..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.batchexecutor.api..",
              "io.batchexecutor.pipeline..",
              "io.batchexecutor.backend..",
              "org.springframework.web..");

  @ArchTest
  static final ArchRule thePipelineKnowsNothingOfHttp =
      noClasses()
          .that()
          .resideInAnyPackage("io.batchexecutor.pipeline..", "io.batchexecutor.backend..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.batchexecutor.api..", "org.springframework.web..");

  @ArchTest
  static final ArchRule controllersLiveInTheApiPackage =
      classes()
          .that()
          .areAnnotatedWith(RestController.class)
          .should()
          .resideInAPackage("io.batchexecutor.api..");

  /** The storage classes are the only ones that write SQL (and the embedded database's setup). */
  @ArchTest
  static final ArchRule onlyTheStorageClassesTouchSql =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.batchexecutor.db..")
          .and()
          .doNotHaveSimpleName("TaskRepository")
          .and()
          .doNotHaveSimpleName("TaskQueries")
          .and()
          .doNotHaveSimpleName("WorkQueue")
          .and()
          .doNotHaveSimpleName("WorkflowCascade")
          .and()
          .doNotHaveSimpleName("TaskRows")
          .and()
          .doNotHaveSimpleName("TaskEventRows")
          .and()
          .doNotHaveSimpleName("HeldTasks")
          .and()
          .doNotHaveSimpleName("WorkflowRepository")
          .and()
          .doNotHaveSimpleName("WorkflowListing")
          .and()
          .doNotHaveSimpleName("WorkflowDeletionMarks")
          .and()
          .doNotHaveSimpleName("UnfinishedTasks")
          .and()
          .doNotHaveSimpleName("SubmittedJobs")
          .and()
          .doNotHaveSimpleName("DefinitionsInUse")
          .and()
          .doNotHaveSimpleName("WorkflowRoom")
          .and()
          .doNotHaveSimpleName("CancelRequests")
          .and()
          .doNotHaveSimpleName("WatchedJobWakeUps")
          .and()
          .doNotHaveSimpleName("UploadedFiles")
          .and()
          .doNotHaveSimpleName("UploadLocks")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.springframework.jdbc.core..");

  /**
   * Acceptance asks the task's backend what it must know (its terms, {@code task/BackendTerms},
   * which every backend implements) and names no backend.
   */
  @ArchTest
  static final ArchRule acceptanceKnowsNoBackend =
      noClasses()
          .that()
          .resideInAnyPackage("io.batchexecutor.task..", "io.batchexecutor.workflow..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.batchexecutor.backend..");

  @ArchTest
  static final ArchRule theBackendsKnowNothingOfEachOther =
      slices().matching("io.batchexecutor.backend.(*)..").should().notDependOnEachOther();

  @ArchTest
  static final ArchRule httpKnowsNothingOfThePipelinesInsides =
      noClasses()
          .that()
          .resideInAPackage("io.batchexecutor.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.batchexecutor.pipeline..",
              "io.batchexecutor.backend.local..",
              "io.batchexecutor.backend.awsbatch..");

  @ArchTest
  static final ArchRule onlyImagesAndBackendsTalkToDocker =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.batchexecutor.api..",
              "io.batchexecutor.task..",
              "io.batchexecutor.workflow..",
              "io.batchexecutor.pipeline..",
              "io.batchexecutor.storage..",
              "io.batchexecutor.retention..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.github.dockerjava..");

  @ArchTest
  static final ArchRule theSupportPackageDependsOnNothingOfOurs =
      noClasses()
          .that()
          .resideInAPackage("io.batchexecutor.support..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.batchexecutor.api..",
              "io.batchexecutor.task..",
              "io.batchexecutor.workflow..",
              "io.batchexecutor.pipeline..",
              "io.batchexecutor.backend..",
              "io.batchexecutor.storage..",
              "io.batchexecutor.config..");

  @ArchTest
  static final ArchRule configurationDependsOnNoOtherArea =
      noClasses()
          .that()
          .resideInAPackage("io.batchexecutor.config..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.batchexecutor.api..",
              "io.batchexecutor.task..",
              "io.batchexecutor.pipeline..",
              "io.batchexecutor.backend..");

  /**
   * What the service stores and compares is timed by its one {@code Clock} bean, which tests move
   * (docs/decisions.md, "One clock"); only the bean itself reads the system's clock. Waits take
   * their start from the scheduler's clock. {@code AwaitContainer} still schedules the removal of a
   * finished container (a wait) from {@code Instant.now()}.
   */
  @ArchTest
  static final ArchRule timeIsReadFromTheServicesClock =
      noClasses()
          .that()
          .doNotHaveSimpleName("CoreConfiguration")
          .and()
          .doNotHaveSimpleName("AwaitContainer")
          .should()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(OffsetDateTime.class, "now")
          .orShould()
          .callMethod(LocalDateTime.class, "now")
          .orShould()
          .callMethod(ZonedDateTime.class, "now")
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(Clock.class, "systemUTC")
          .orShould()
          .callMethod(Clock.class, "systemDefaultZone");
}

package io.batchexecutor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
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

  @ArchTest
  static final ArchRule onlyTheRepositoryWritesSql =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.batchexecutor.task..", "io.batchexecutor.workflow..", "io.batchexecutor.db..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient");

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
}

package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequirementsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "numpy",
        "numpy==2.1.0",
        "NumPy == 2.1.0",
        "pandas[excel]>=2,<3",
        "pandas [excel, performance] >= 2.0",
        "requests[]",
        "scipy~=1.11",
        "scipy~=1.11.0rc1",
        "torch==2.1.*",
        "torch!=2.0.1",
        "torch==2.1.0+cpu",
        "pkg===weird-version_1",
        "pkg (>=1.0, <2)",
        "pkg>=1!2.0.post1.dev3",
        "zope.interface>=5",
        "typing_extensions>=4.0.0a1",
        "pip>=0.0.123456",
        "tomli; python_version < \"3.11\"",
        "tomli ; python_version<'3.11' and (sys_platform == 'linux' or os_name != \"nt\")",
        "pywin32; sys_platform in 'win32 cygwin'",
        "uvloop; platform_system not in \"Windows\"",
        "pkg[x]==1; extra == 'test'",
        "pkg; platform_version == '#1 SMP @ 2024'",
      })
  void requirementsByNameAreTaken(String requirement) {
    assertThat(Requirements.problem(requirement)).as(requirement).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "pkg @ https://example.com/pkg-1.0.tar.gz | is a URL requirement",
        "pkg@https://example.com/pkg.whl | is a URL requirement",
        "https://example.com/pkg-1.0-py3-none-any.whl | is a URL requirement",
        "git+https://github.com/x/y.git | is a version-control requirement",
        "hg+https://example.com/repo | is a version-control requirement",
        "pkg @ git+https://github.com/x/y | is a URL requirement",
        "./local/dir | is a path or archive",
        "/abs/path | is a path or archive",
        "file:///tmp/pkg | is a path or archive",
        "dist/pkg-1.0-py3-none-any.whl | is a path or archive",
        "pkg-1.0.tar.gz | is a path or archive",
        "-e . | is a pip option",
        "--index-url=http://x | is a pip option",
        "-r requirements.txt | is a pip option",
        "--extra-index-url http://x | is a pip option",
        "pkg==1.0 --hash=sha256:00 | must be a PEP 508 requirement",
        "pkg==1.0 -i http://x | is a URL requirement",
        "pkg==not-a-version | must be a PEP 508 requirement",
        "pkg~=1 | must be a PEP 508 requirement",
        "pkg>=1.* | must be a PEP 508 requirement",
        "pkg>=1.0+local | must be a PEP 508 requirement",
        "pkg; os.system('x') | must be a PEP 508 requirement",
        "pkg; python_version < 3 | must be a PEP 508 requirement",
        "pkg; python_version < '3 | must be a PEP 508 requirement",
        "pkg[ex tra] | must be a PEP 508 requirement",
        "_pkg | must be a PEP 508 requirement",
        "pkg$(id) | must be a PEP 508 requirement",
        "pkg && rm -rf / | is a path or archive",
      })
  void everythingElseIsRefusedWithItsReason(String requirement, String reason) {
    assertThat(Requirements.problem(requirement))
        .as(requirement)
        .hasValueSatisfying(
            problem -> assertThat(problem).startsWith(reason).contains(requirement.strip()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "pkg\n--index-url=http://x", "pkg\u0000"})
  void blankOrMultiLineRequirementsAreRefused(String requirement) {
    assertThat(Requirements.problem(requirement)).isPresent();
  }

  @org.junit.jupiter.api.Test
  void aVeryLongRequirementIsRefused() {
    assertThat(Requirements.problem("p".repeat(Requirements.MAX_LENGTH + 1)))
        .hasValue("must be at most " + Requirements.MAX_LENGTH + " characters");
  }
}

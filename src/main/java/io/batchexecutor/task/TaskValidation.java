package io.batchexecutor.task;

import io.batchexecutor.config.PayloadMode;
import io.batchexecutor.config.TaskSettings;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The rules a task must meet before anything of it is stored. Names that end up in the generated
 * runner or build context are confined to plain identifiers, so that nothing a client sends can
 * escape the payload.
 */
final class TaskValidation {

  static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,127}$");
  static final Set<String> PYTHON_KEYWORDS =
      Set.of(
          "False",
          "None",
          "True",
          "and",
          "as",
          "assert",
          "async",
          "await",
          "break",
          "class",
          "continue",
          "def",
          "del",
          "elif",
          "else",
          "except",
          "finally",
          "for",
          "from",
          "global",
          "if",
          "import",
          "in",
          "is",
          "lambda",
          "nonlocal",
          "not",
          "or",
          "pass",
          "raise",
          "return",
          "try",
          "while",
          "with",
          "yield");
  static final Pattern IMAGE_REFERENCE =
      Pattern.compile("^[a-z0-9][a-z0-9._\\-/:]{0,254}(@sha256:[a-f0-9]{64})?$");
  static final int MAX_REQUIREMENTS = 100;
  static final int MAX_NAME_LENGTH = 256;

  private final Validator validator;
  private final long maxSourceBytes;

  TaskValidation(Validator validator, long maxSourceBytes) {
    this.validator = validator;
    this.maxSourceBytes = maxSourceBytes;
  }

  /** Every problem with {@code task}; empty when it may be accepted. */
  List<InvalidTaskException.Violation> check(NewTask task) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (task.name() != null
        && (task.name().length() > MAX_NAME_LENGTH
            || task.name().chars().anyMatch(Character::isISOControl))) {
      problems.add(
          v(
              "name",
              "must be at most " + MAX_NAME_LENGTH + " characters, without control characters"));
    }
    TaskSpec spec = task.spec();
    checkFunction(spec.function(), problems);
    checkArgs(spec.args(), problems);
    checkKwargs(spec.kwargs(), problems);
    checkSweep(spec.sweep(), spec.kwargs(), problems);
    checkStorable("args", spec.args(), problems);
    checkStorable("kwargs", spec.kwargs(), problems);
    checkStorable("sweep", spec.sweep(), problems);
    if (task.name() != null && !StorableText.storable(task.name())) {
      problems.add(v("name", UNSTORABLE));
    }
    if (spec.function() != null
        && spec.function().source() != null
        && !StorableText.storable(spec.function().source())) {
      problems.add(v("function.source", UNSTORABLE));
    }
    checkImage(spec.image(), problems);
    if (task.executor() != null) {
      for (ConstraintViolation<TaskSettings> c : validator.validate(task.executor())) {
        problems.add(v("executor." + snakeCase(c.getPropertyPath().toString()), c.getMessage()));
      }
      problems.addAll(TaskEnvironment.problems(task.executor()));
    }
    if (task.idempotencyKey() != null
        && (task.idempotencyKey().isEmpty() || task.idempotencyKey().length() > 255)) {
      problems.add(v("Idempotency-Key", "must be 1-255 characters"));
    }
    problems.sort((a, b) -> a.field().compareTo(b.field()));
    return problems;
  }

  private void checkFunction(
      TaskSpec.FunctionSpec function, List<InvalidTaskException.Violation> problems) {
    if (function == null) {
      problems.add(
          v("function", "is required: {\"source\": \"def f(...): ...\", \"name\": \"f\"}"));
      return;
    }
    if (function.source() == null || function.source().isBlank()) {
      problems.add(v("function.source", "must not be empty"));
    } else if (StorableText.utf8Length(function.source()) > maxSourceBytes) {
      problems.add(v("function.source", "must be at most " + maxSourceBytes + " bytes"));
    } else if (function.source().indexOf('\0') >= 0) {
      problems.add(v("function.source", "must not contain NUL characters"));
    }
    if (function.name() == null || function.name().isEmpty()) {
      problems.add(v("function.name", "is required"));
    } else if (!isIdentifier(function.name())) {
      problems.add(
          v("function.name", "must be a Python identifier (letters, digits, '_'; not a keyword)"));
    }
  }

  private static void checkArgs(JsonNode args, List<InvalidTaskException.Violation> problems) {
    if (args != null && !args.isNull() && !args.isArray()) {
      problems.add(v("args", "must be a JSON array"));
    }
  }

  private static void checkKwargs(JsonNode kwargs, List<InvalidTaskException.Violation> problems) {
    if (kwargs == null || kwargs.isNull()) {
      return;
    }
    if (!kwargs.isObject()) {
      problems.add(v("kwargs", "must be a JSON object"));
      return;
    }
    for (Map.Entry<String, JsonNode> entry : kwargs.properties()) {
      if (!isIdentifier(entry.getKey())) {
        problems.add(v("kwargs." + printable(entry.getKey()), "must be a Python identifier"));
      }
    }
  }

  private static void checkSweep(
      JsonNode sweep, JsonNode kwargs, List<InvalidTaskException.Violation> problems) {
    if (sweep == null || sweep.isNull()) {
      return;
    }
    if (!sweep.isObject() || sweep.isEmpty()) {
      problems.add(v("sweep", "must be an object of keyword argument names to lists of values"));
      return;
    }
    boolean listsOk = true;
    for (Map.Entry<String, JsonNode> entry : sweep.properties()) {
      String field = "sweep." + printable(entry.getKey());
      if (!isIdentifier(entry.getKey())) {
        problems.add(v(field, "must be a Python identifier"));
      }
      if (!entry.getValue().isArray() || entry.getValue().isEmpty()) {
        problems.add(v(field, "must be a non-empty list of values"));
        listsOk = false;
      }
      if (kwargs != null && kwargs.isObject() && kwargs.has(entry.getKey())) {
        problems.add(v(field, "is in kwargs too; a swept argument takes its values from sweep"));
      }
    }
    if (listsOk && Sweep.runCount(sweep) > Sweep.MAX_COMBINATIONS) {
      problems.add(
          v(
              "sweep",
              "has more than "
                  + Sweep.MAX_COMBINATIONS
                  + " combinations (AWS Batch's largest array job)"));
    }
  }

  private static void checkImage(
      TaskSpec.ImageSpec image, List<InvalidTaskException.Violation> problems) {
    if (image == null) {
      return;
    }
    if (image.baseImage() != null && !IMAGE_REFERENCE.matcher(image.baseImage()).matches()) {
      problems.add(v("image.base_image", "must be an image reference such as python:3.11-slim"));
    }
    if (image.payload() != null && PayloadMode.of(image.payload()).isEmpty()) {
      problems.add(v("image.payload", "must be staged or baked"));
    }
    List<String> requirements = image.requirements();
    if (requirements == null) {
      return;
    }
    if (requirements.size() > MAX_REQUIREMENTS) {
      problems.add(
          v("image.requirements", "must list at most " + MAX_REQUIREMENTS + " requirements"));
    }
    for (int i = 0; i < requirements.size(); i++) {
      int index = i;
      Requirements.problem(requirements.get(i))
          .ifPresent(problem -> problems.add(v("image.requirements[" + index + "]", problem)));
    }
  }

  static final String UNSTORABLE =
      "must not contain NUL characters or unpaired surrogates (no UTF-8 text can carry them)";

  /** Reports the first string in {@code node} (key or value) that text storage cannot carry. */
  private static void checkStorable(
      String field, JsonNode node, List<InvalidTaskException.Violation> problems) {
    if (node == null) {
      return;
    }
    if (node.isString() && !StorableText.storable(node.asString())) {
      problems.add(v(field, UNSTORABLE));
      return;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        int before = problems.size();
        checkStorable(field + "[" + i + "]", node.get(i), problems);
        if (problems.size() > before) {
          return;
        }
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        if (!StorableText.storable(entry.getKey())) {
          problems.add(v(field, "has a key that " + UNSTORABLE.substring(5)));
          return;
        }
        int before = problems.size();
        checkStorable(field + "." + printable(entry.getKey()), entry.getValue(), problems);
        if (problems.size() > before) {
          return;
        }
      }
    }
  }

  static boolean isIdentifier(String name) {
    return IDENTIFIER.matcher(name).matches() && !PYTHON_KEYWORDS.contains(name);
  }

  private static String printable(String key) {
    String shown = key.length() > 64 ? key.substring(0, 64) + "..." : key;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  static String snakeCase(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}

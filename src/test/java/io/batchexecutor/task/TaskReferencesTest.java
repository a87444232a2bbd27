package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TaskReferencesTest {

  final JsonMapper json = JsonMapper.builder().build();
  final List<InvalidTaskException.Violation> malformed = new ArrayList<>();

  @Test
  void aReferenceMayCarryAPathWhoseOperandsAreReferencesToo() {
    List<TaskReferences.Reference> found =
        references(
            """
            [{"$task": "a"},
             {"$task": "b", "path": [{"index": 0}, {"attr": "weights"}, {"slice": [1, null, -1]},
                                     {"op": "add", "right": {"$task": "c", "path": [{"op": "neg"}]}},
                                     {"op": "sub", "left": 1}, {"index": {"$task": "d"}}]}]""");

    assertThat(malformed).isEmpty();
    assertThat(found).extracting(TaskReferences.Reference::key).containsExactly("a", "b", "c", "d");
    assertThat(found.get(2).path()).isEqualTo("args[1].path[3].right");
  }

  @Test
  void aMalformedReferenceOrOperationIsNamedWhereItStands() {
    references(
        """
        [{"$task": "a", "other": 1},
         {"$task": "b", "path": {"index": 0}},
         {"$task": "c", "path": [{"attr": "__class__"}, {"slice": [1, "x", null]}, {"slice": [1e3, null, null]},
                                 {"op": "call", "right": 1}, {"op": "add"}, {"op": "neg", "right": 1},
                                 {"index": 0, "attr": "x"}]}]""");

    assertThat(malformed)
        .extracting(InvalidTaskException.Violation::field)
        .containsExactly(
            "args[0]",
            "args[1].path",
            "args[2].path[0].attr",
            "args[2].path[1].slice",
            "args[2].path[2].slice",
            "args[2].path[3]",
            "args[2].path[4]",
            "args[2].path[5]",
            "args[2].path[6]");
    assertThat(malformed.get(5).message()).contains("'call'").contains("add");
  }

  @Test
  void aPathIsBounded() {
    String steps = "{\"index\": 0},".repeat(TaskReferences.MAX_STEPS) + "{\"index\": 0}";
    references("[{\"$task\": \"a\", \"path\": [" + steps + "]}]");

    assertThat(malformed)
        .extracting(InvalidTaskException.Violation::field)
        .containsExactly("args[0].path");
  }

  private List<TaskReferences.Reference> references(String args) {
    JsonNode parsed = json.readTree(args);
    return TaskReferences.in(parsed, json.readTree("{}"), malformed);
  }
}

package dev.tessera.contracts.model;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import java.util.List;
import java.util.stream.Collectors;

/** A contract (or a directory of contracts) failed to parse or validate; carries every problem. */
public class ContractException extends TesseraException {
  private final List<Problem> problems;

  public ContractException(List<Problem> problems) {
    super(ErrorCode.INVALID_CONTRACT, summary(problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String summary(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ContractException needs at least one problem");
    }
    return "Cannot load contract: "
        + problems.size()
        + " problem(s)\n"
        + problems.stream().sorted().map(Problem::format).collect(Collectors.joining("\n"));
  }
}

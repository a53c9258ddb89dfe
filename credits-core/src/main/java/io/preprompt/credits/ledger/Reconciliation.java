package io.preprompt.credits.ledger;

import io.preprompt.credits.core.AccountId;
import java.util.List;

/**
 * The result of recomputing an account from its ledger and comparing with its stored state.
 *
 * @param account the account
 * @param entriesReplayed how many ledger entries were replayed
 * @param granted total granted according to the ledger
 * @param available available according to the ledger: the lots' remaining credits less the debt
 * @param held held according to the ledger
 * @param settled settled according to the ledger
 * @param expired expired according to the ledger
 * @param debited debited according to the ledger
 * @param debt debt owed according to the ledger
 * @param differences each difference found, in words; empty when consistent
 */
public record Reconciliation(AccountId account, long entriesReplayed, long granted, long available, long held,
    long settled, long expired, long debited, long debt, List<String> differences) {
  /**
   * Copies the differences.
   *
   * @param account the account
   * @param entriesReplayed how many ledger entries were replayed
   * @param granted total granted according to the ledger
   * @param available available according to the ledger
   * @param held held according to the ledger
   * @param settled settled according to the ledger
   * @param expired expired according to the ledger
   * @param debited debited according to the ledger
   * @param debt debt owed according to the ledger
   * @param differences each difference found, in words; empty when consistent
   */
  public Reconciliation {
    differences = List.copyOf(differences);
  }

  /**
   * A reconciliation of an account without debt.
   *
   * @param account the account
   * @param entriesReplayed how many ledger entries were replayed
   * @param granted total granted according to the ledger
   * @param available available according to the ledger
   * @param held held according to the ledger
   * @param settled settled according to the ledger
   * @param expired expired according to the ledger
   * @param debited debited according to the ledger
   * @param differences each difference found, in words; empty when consistent
   */
  public Reconciliation(AccountId account, long entriesReplayed, long granted, long available, long held,
      long settled, long expired, long debited, List<String> differences) {
    this(account, entriesReplayed, granted, available, held, settled, expired, debited, 0, differences);
  }

  /**
   * Tells whether stored state and ledger agree.
   *
   * @return true when no difference was found
   */
  public boolean consistent() {
    return differences.isEmpty();
  }
}

package io.preprompt.credits.examples.filestore;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.BillingIntegrityContract;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/** The host-written file store also keeps the billing layer whole: no double charge, no unpaid pack. */
@DisplayName("Billing integrity on FileCreditStore")
class FileCreditStoreBillingIntegrityTest extends BillingIntegrityContract {
  @TempDir
  Path directory;

  @Override
  protected CreditStore createStore() {
    return FileCreditStore.open(directory.resolve("credits"));
  }
}

package io.preprompt.credits.examples.filestore;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A host-written {@link CreditStore} over a directory of files: the whole path an integrator takes
 * to put credits on their own storage. It persists and loads; every rule stays in core.
 *
 * <p>One file per account ({@code <sha-256 of the id>.account}, so any id is a safe, fixed-length
 * file name) holds the account row, its live lots, all its holds, its ledger and its idempotency
 * records (see {@link AccountFile}). A commit takes the account's lock, re-reads the file, checks
 * the expected version, the idempotency key and that every hold it ends is still active, and then
 * replaces the file atomically: the new content goes to a temporary file in the same directory,
 * is forced to disk ({@code fdatasync}) and moved over the old one with {@code ATOMIC_MOVE}. A
 * reader sees the old file or the new one, never half of either; a failed write leaves the old
 * file in place. (A production store would also sync the directory after the move, so the rename
 * itself survives a power cut.)
 *
 * <p>The lock is a {@link ReentrantLock} per account file inside the JVM plus an OS file lock on
 * {@code <hash>.lock}, so several stores and several processes may share the directory. Reads
 * take no lock.
 *
 * <p>Trade-offs, which make this an example rather than a production store: every commit rewrites
 * the account's whole history, the sweep queries read every account file, and the JVM keeps one
 * small lock object per account it has written.
 */
public final class FileCreditStore implements CreditStore {
  private static final String SUFFIX = ".account";

  private final Path directory;
  /**
   * In-process locks by lock file, shared by every store in the JVM: OS file locks are held per
   * process, and a second store on the same directory must wait here rather than overlap them.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private FileCreditStore(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens a store over a directory, creating it when missing.
   *
   * @param directory where the account files live
   * @return the store
   * @throws StoreException when the directory cannot be created
   */
  public static FileCreditStore open(Path directory) {
    try {
      return new FileCreditStore(Files.createDirectories(directory).toRealPath());
    } catch (IOException e) {
      throw new StoreException("cannot create the store directory " + directory, null,
          StoreException.Outcome.NOT_APPLIED, e);
    }
  }

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    return read(account).map(a -> a.snapshot(holds));
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    return read(account).map(a -> a.keys.get(key));
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return read(account).map(a -> a.holds.get(hold));
  }

  // tag::commit[]
  @Override
  public CommitOutcome commit(AccountChange change) {
    AccountId id = change.account().id();
    Path lockPath = directory.resolve(fileName(id) + ".lock");
    ReentrantLock lock = LOCKS.computeIfAbsent(lockPath, k -> new ReentrantLock());
    lock.lock();
    try (FileChannel lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      lockFile.lock(); // other processes wait here; released when the channel closes
      Optional<AccountFile> stored = read(id);
      if (change.expectedVersion() == 0 ? stored.isPresent()
          : stored.isEmpty() || stored.get().record.version() != change.expectedVersion()) {
        return CommitOutcome.CONFLICT;
      }
      AccountFile file = stored.orElseGet(() -> new AccountFile(change.account()));
      if (!file.accepts(change)) {
        return CommitOutcome.CONFLICT;
      }
      file.apply(change);
      write(id, file);
      return CommitOutcome.COMMITTED;
    } catch (IOException e) {
      // The file may have been replaced before the failure (say, removing the temporary file): unknown.
      throw new StoreException("cannot commit account " + id + ": " + e, null, StoreException.Outcome.UNKNOWN, e);
    } finally {
      lock.unlock();
    }
  }
  // end::commit[]

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    List<LedgerEntry> out = new ArrayList<>();
    for (LedgerEntry e : read(account).map(a -> a.ledger).orElse(List.of())) {
      if (out.size() >= query.limit()) {
        break;
      }
      if (e.sequence() > query.afterSequence() && query.matchesTime(e.at())) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    List<HoldRef> due = new ArrayList<>();
    for (AccountFile a : readAll()) {
      for (Hold h : a.snapshot(HoldSelection.overdueAt(now)).holds()) {
        due.add(new HoldRef(h.account(), h.id(), h.deadline()));
      }
    }
    due.sort(Comparator.comparing(HoldRef::deadline));
    return List.copyOf(due.subList(0, Math.min(limit, due.size())));
  }

  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    LinkedHashSet<AccountId> out = new LinkedHashSet<>();
    for (AccountFile a : readAll()) {
      for (Lot lot : a.lots.values()) {
        if (out.size() < limit && lot.remaining() > 0 && lot.expiresAt() != null && !lot.expiresAt().isAfter(now)) {
          out.add(a.record.id());
        }
      }
    }
    return List.copyOf(out);
  }

  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    return readAll().stream()
        .filter(a -> a.record.planDueAt() != null && !a.record.planDueAt().isAfter(now))
        .sorted(Comparator.comparing(a -> a.record.planDueAt()))
        .limit(limit)
        .map(a -> a.record.id())
        .toList();
  }

  // ------------------------------------------------------------------------------------- files

  private Optional<AccountFile> read(AccountId account) {
    try {
      return Optional.of(AccountFile.parse(Files.readString(directory.resolve(fileName(account) + SUFFIX))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // A file this store did not write whole (edited by hand, a full disk elsewhere) is a store failure.
      throw new StoreException("cannot read account " + account + ": " + e, null, StoreException.Outcome.NOT_APPLIED,
          e);
    }
  }

  private List<AccountFile> readAll() {
    List<AccountFile> all = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path p : files) {
        all.add(AccountFile.parse(Files.readString(p)));
      }
    } catch (IOException | RuntimeException e) {
      throw new StoreException("cannot scan " + directory + ": " + e, null, StoreException.Outcome.NOT_APPLIED, e);
    }
    return all;
  }

  private void write(AccountId account, AccountFile file) throws IOException {
    Path tmp = Files.createTempFile(directory, fileName(account), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(file.format().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
        ch.force(false);
      }
      Files.move(tmp, directory.resolve(fileName(account) + SUFFIX), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String fileName(AccountId account) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(account.value().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cal-atomic-file.h"
#include "cal-edit-checkpointer.h"

struct _CalEditJournal
{
  char     *path;
  int       journal_fd;
  int       lock_fd;
  CalGrid   grid;
  guint64   seq;                 /* the last record written */
  guint64   journal_bytes;
  guint     records_since_checkpoint;
  guint64   bytes_since_checkpoint;

  /* Checkpoints: a worker with its own copy of the mask (cal-edit-checkpointer.h). */
  CalEditCheckpointer *checkpointer;
  guint64   base_checkpoint_seq;   /* a recovered session's checkpoint */
  /* A record could not be written: later records would not replay on what
   * the journal holds, so none is written until a checkpoint of the whole
   * mask (stale_request, or a later one) has succeeded; each append asks
   * for one meanwhile. */
  gboolean  stale;
  guint64   stale_request;

  /* fdatasync() of the journal runs on its own thread: a record is safe
   * from a killed process once write() returns (it is in the kernel), and
   * from a power cut once this thread has synced it, a few ms later; the
   * main thread never waits for the disk.  sync_errno (atomic) reports a
   * failed sync to the next append. */
  GThreadPool *syncer;
  gint      sync_queued;
  gint      sync_errno;
};

char *
cal_edit_journal_default_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "calvaria", "sessions", NULL);
}

static gboolean
errno_error (GError    **error,
             const char *what)
{
  int saved = errno;

  g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL,
               "The editing journal could not %s: %s%s", what, g_strerror (saved),
               saved == ENOSPC || saved == EDQUOT || saved == EFBIG
                 ? " (free some disk space; the edits are still in the window, save them when you can)" : "");
  return FALSE;
}

/* ---- session.ini ---- */

static gboolean
write_session_ini (const char     *folder,
                   const CalGrid  *grid,
                   const char     *scan_token,
                   gboolean        base_empty,
                   GError        **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = g_build_filename (folder, "session.ini", NULL);
  g_autofree char *data = NULL;
  gint dims[3] = { (gint) grid->dims[0], (gint) grid->dims[1], (gint) grid->dims[2] };
  gsize n;

  g_key_file_set_integer (kf, "session", "version", 1);
  g_key_file_set_string (kf, "session", "scan", scan_token != NULL ? scan_token : "");
  g_key_file_set_string (kf, "session", "base", base_empty ? "empty" : "checkpoint");
  g_key_file_set_integer_list (kf, "grid", "dims", dims, 3);
  g_key_file_set_double_list (kf, "grid", "affine", (double *) grid->affine, 16);
  g_key_file_set_boolean (kf, "grid", "orientation-known", grid->orientation_known);
  data = g_key_file_to_data (kf, &n, NULL);
  return cal_atomic_file_replace (path, data, n, error);
}

static gboolean
read_session_ini (const char  *folder,
                  CalGrid     *grid,
                  char       **scan_token,
                  gboolean    *base_empty,
                  GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = g_build_filename (folder, "session.ini", NULL);
  g_autofree gint *dims = NULL;
  g_autofree double *affine = NULL;
  g_autofree char *base = NULL;
  gsize n_dims = 0, n_affine = 0;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;
  dims = g_key_file_get_integer_list (kf, "grid", "dims", &n_dims, NULL);
  affine = g_key_file_get_double_list (kf, "grid", "affine", &n_affine, NULL);
  base = g_key_file_get_string (kf, "session", "base", NULL);
  if (g_key_file_get_integer (kf, "session", "version", NULL) != 1 || n_dims != 3 || n_affine != 16
      || base == NULL || dims[0] < 1 || dims[1] < 1 || dims[2] < 1
      || (guint64) dims[0] * dims[1] * dims[2] > G_MAXUINT32 * (guint64) 64)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                   "The session's description (session.ini) is damaged or from another version");
      return FALSE;
    }
  memset (grid, 0, sizeof *grid);
  for (int a = 0; a < 3; a++)
    grid->dims[a] = (guint32) dims[a];
  memcpy (grid->affine, affine, sizeof grid->affine);
  grid->orientation_known = g_key_file_get_boolean (kf, "grid", "orientation-known", NULL);
  *scan_token = g_key_file_get_string (kf, "session", "scan", NULL);
  *base_empty = g_str_equal (base, "empty");
  return TRUE;
}

/* ---- the lock ---- */

static int
take_lock (const char  *folder,
           GError     **error)
{
  g_autofree char *path = g_build_filename (folder, "lock", NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      errno_error (error, "make its lock");
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL,
                   "This editing session is open in another Calvaria window");
      close (fd);
      return -1;
    }
  return fd;
}

/* ---- checkpoints ---- */

void
cal_edit_journal_checkpoint (CalEditJournal *journal)
{
  guint64 request = cal_edit_checkpointer_request (journal->checkpointer, journal->seq);

  if (journal->stale)
    journal->stale_request = request;
  journal->records_since_checkpoint = 0;
  journal->bytes_since_checkpoint = 0;
}

gboolean
cal_edit_journal_wait (CalEditJournal  *journal,
                       GError         **error)
{
  return cal_edit_checkpointer_wait (journal->checkpointer, error);
}

GError *
cal_edit_journal_dup_checkpoint_error (CalEditJournal *journal)
{
  return cal_edit_checkpointer_dup_error (journal->checkpointer);
}

guint64
cal_edit_journal_get_checkpoint_seq (CalEditJournal *journal)
{
  return MAX (journal->base_checkpoint_seq, cal_edit_checkpointer_get_seq (journal->checkpointer));
}

const char *cal_edit_journal_get_path (CalEditJournal *journal) { return journal->path; }
guint64 cal_edit_journal_get_seq (CalEditJournal *journal) { return journal->seq; }

/* ---- syncing the journal ---- */

static void
sync_journal (gpointer data,
              gpointer user_data)
{
  CalEditJournal *j = user_data;

  g_atomic_int_set (&j->sync_queued, 0);
  if (fdatasync (j->journal_fd) != 0)
    g_atomic_int_set (&j->sync_errno, errno ? errno : EIO);
}

static void
queue_sync (CalEditJournal *j)
{
  if (g_atomic_int_compare_and_exchange (&j->sync_queued, 0, 1))
    g_thread_pool_push (j->syncer, GINT_TO_POINTER (1), NULL);
}

/* ---- sessions ---- */

static CalEditJournal *
journal_new (const char    *folder,
             CalMask       *mask,
             gboolean       empty)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  CalEditJournal *j = g_new0 (CalEditJournal, 1);

  j->path = g_strdup (folder);
  j->grid = *grid;
  j->journal_fd = -1;
  j->lock_fd = -1;
  j->syncer = g_thread_pool_new (sync_journal, j, 1, TRUE, NULL);
  j->checkpointer = cal_edit_checkpointer_new (folder, mask, empty);
  return j;
}

static void
journal_free (CalEditJournal *j)
{
  /* Every step handed over reaches the shadow, every checkpoint asked for is written. */
  cal_edit_checkpointer_free (j->checkpointer);
  /* Every queued sync done before the file closes. */
  g_thread_pool_free (j->syncer, FALSE, TRUE);
  if (j->journal_fd >= 0)
    {
      fdatasync (j->journal_fd);
      close (j->journal_fd);
    }
  if (j->lock_fd >= 0)
    close (j->lock_fd);   /* releases the flock */
  g_free (j->path);
  g_free (j);
}

static gboolean
open_journal_file (CalEditJournal  *j,
                   guint64          keep_bytes,
                   GError         **error)
{
  g_autofree char *path = g_build_filename (j->path, "journal", NULL);

  j->journal_fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (j->journal_fd < 0)
    return errno_error (error, "be opened");
  /* A recovered session's discarded tail is cut off before anything follows it. */
  if (ftruncate (j->journal_fd, (off_t) keep_bytes) != 0
      || lseek (j->journal_fd, (off_t) keep_bytes, SEEK_SET) < 0
      || fsync (j->journal_fd) != 0)
    return errno_error (error, "be prepared");
  j->journal_bytes = keep_bytes;
  return TRUE;
}

CalEditJournal *
cal_edit_journal_create (const char  *state_dir,
                         CalMask     *mask,
                         const char  *scan_token,
                         GError     **error)
{
  g_autofree char *dir = state_dir ? g_strdup (state_dir) : cal_edit_journal_default_dir ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *folder = g_build_filename (dir, id, NULL);
  gboolean empty = cal_mask_count (mask, CAL_LABEL_BACKGROUND) == cal_grid_n_voxels (cal_mask_get_grid (mask));
  CalEditJournal *j;

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_mkdir (folder, 0700) != 0)
    {
      errno_error (error, "make its folder in the state folder");
      return NULL;
    }
  j = journal_new (folder, mask, empty);
  j->lock_fd = take_lock (folder, error);
  /* session.ini comes last: a folder without it is no session (a kill
   * before it leaves nothing to recover, and nothing was reported done). */
  if (j->lock_fd < 0
      || !open_journal_file (j, 0, error)
      || !write_session_ini (folder, &j->grid, scan_token, empty, error))
    {
      journal_free (j);
      return NULL;
    }
  if (!empty)
    cal_edit_journal_checkpoint (j);
  return j;
}

/* The step is in the window but not (certainly) in the journal: it goes to
 * the shadow all the same, and a checkpoint of the whole mask is asked for. */
static void
mark_stale (CalEditJournal *journal,
            CalEditStep    *step)
{
  cal_edit_checkpointer_add_step (journal->checkpointer, step);
  journal->stale = TRUE;
  cal_edit_journal_checkpoint (journal);
}

gboolean
cal_edit_journal_is_safe (CalEditJournal *journal)
{
  if (journal->stale && cal_edit_checkpointer_get_done (journal->checkpointer) >= journal->stale_request)
    journal->stale = FALSE;
  return !journal->stale;
}

gboolean
cal_edit_journal_append (CalEditJournal  *journal,
                         CalEditOp        op,
                         CalEditStep     *step,
                         GError         **error)
{
  g_autoptr(GBytes) body_step = cal_edit_step_serialize (step);
  gsize n_step;
  const guint8 *p_step = g_bytes_get_data (body_step, &n_step);
  gsize n_body = 8 + 1 + n_step, n = 12 + n_body;
  g_autofree guint8 *record = g_malloc (n);
  guint64 seq = journal->seq + 1, seq_le = GUINT64_TO_LE (seq);
  guint32 len_le = GUINT32_TO_LE ((guint32) n_body), crc;
  int sync_failed;

  if (!cal_edit_journal_is_safe (journal))
    {
      mark_stale (journal, step);
      return TRUE;
    }
  sync_failed = g_atomic_int_exchange (&journal->sync_errno, 0);
  if (sync_failed != 0)
    {
      /* What is on disk is uncertain: start again from a checkpoint. */
      mark_stale (journal, step);
      errno = sync_failed;
      return errno_error (error, "make the last steps safe on disk");
    }
  if (n_body > G_MAXUINT32)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL, "An editing step is too large to journal");
      return FALSE;
    }
  memcpy (record, "CJR1", 4);
  memcpy (record + 4, &len_le, 4);
  memcpy (record + 12, &seq_le, 8);
  record[20] = (guint8) op;
  memcpy (record + 21, p_step, n_step);
  crc = GUINT32_TO_LE ((guint32) crc32 (crc32 (0, NULL, 0), record + 12, (uInt) n_body));
  memcpy (record + 8, &crc, 4);

  for (gsize done = 0; done < n; )
    {
      gssize w = write (journal->journal_fd, record + done, n - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          int saved = errno ? errno : ENOSPC;
          /* Leave no torn record behind: the next append starts clean. */
          if (ftruncate (journal->journal_fd, (off_t) journal->journal_bytes) == 0)
            lseek (journal->journal_fd, (off_t) journal->journal_bytes, SEEK_SET);
          mark_stale (journal, step);
          errno = saved;
          return errno_error (error, "record the last step");
        }
      done += (gsize) w;
    }
  queue_sync (journal);
  cal_edit_checkpointer_add_step (journal->checkpointer, step);
  journal->seq = seq;
  journal->journal_bytes += n;
  journal->records_since_checkpoint++;
  journal->bytes_since_checkpoint += n;
  if (journal->records_since_checkpoint >= CAL_EDIT_JOURNAL_CHECKPOINT_RECORDS
      || journal->bytes_since_checkpoint >= CAL_EDIT_JOURNAL_CHECKPOINT_BYTES)
    cal_edit_journal_checkpoint (journal);
  return TRUE;
}

void
cal_edit_journal_close (CalEditJournal *journal)
{
  if (journal != NULL)
    journal_free (journal);
}

gboolean
cal_edit_journal_remove (CalEditJournal  *journal,
                         GError         **error)
{
  /* session.ini first: from then on the folder is no session, whatever a
   * kill leaves of the rest (list_orphans() sweeps such leftovers). */
  static const char *const names[] = { "session.ini", "journal", "checkpoint", "lock" };
  g_autofree char *folder = g_strdup (journal->path);
  gboolean ok = TRUE;

  cal_edit_journal_wait (journal, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);
      if (g_unlink (path) != 0 && errno != ENOENT && ok)
        ok = errno_error (error, "be removed");
    }
  journal_free (journal);
  if (ok && g_rmdir (folder) != 0)
    ok = errno_error (error, "remove its folder");
  return ok;
}

/* ---- recovery ---- */

void
cal_edit_recovery_free (CalEditRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_free (recovery->path);
  g_free (recovery->scan_token);
  g_clear_object (&recovery->mask);
  g_clear_object (&recovery->history);
  g_free (recovery->tail_reason);
  g_free (recovery);
}

/* A folder without session.ini whose lock is free was half made or half
 * removed when a Calvaria stopped: nothing in it was ever a session to
 * recover.  Swept once it is a minute old (a Calvaria making one right now
 * takes its lock at once, but not before the folder exists). */
static void
remove_leftover (const char *folder)
{
  g_autoptr(GDir) d = g_dir_open (folder, 0, NULL);
  const char *name;
  GStatBuf st;

  if (d == NULL || g_stat (folder, &st) != 0 || st.st_mtime > time (NULL) - 60)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_unlink (path);
    }
  g_rmdir (folder);
}

GPtrArray *
cal_edit_journal_list_orphans (const char *state_dir)
{
  g_autofree char *dir = state_dir ? g_strdup (state_dir) : cal_edit_journal_default_dir ();
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *folder = g_build_filename (dir, name, NULL);
      g_autofree char *ini = g_build_filename (folder, "session.ini", NULL);
      int fd;

      fd = take_lock (folder, NULL);
      if (fd < 0)
        continue;   /* a running Calvaria holds it */
      if (!g_file_test (ini, G_FILE_TEST_IS_REGULAR))
        {
          /* Half made or half removed when Calvaria stopped: nothing in it
           * was ever a session to recover. */
          remove_leftover (folder);
          close (fd);
          continue;
        }
      close (fd);
      g_ptr_array_add (found, g_steal_pointer (&folder));
    }
  return found;
}

/* Moves the history the way the record says when its step is the one the
 * history would move; otherwise applies the record's own step (a step from
 * before the checkpoint) and keeps the history consistent with it. */
static gboolean
replay (CalEditRecovery  *r,
        CalEditOp         op,
        CalEditStep      *step,
        GError          **error)
{
  CalEditHistory *h = r->history;
  guint pos = cal_edit_history_get_position (h);
  CalEditStep *expected = NULL;

  if (op == CAL_EDIT_OP_UNDO && pos > 0)
    expected = cal_edit_history_get_step (h, pos - 1);
  else if (op == CAL_EDIT_OP_REDO && pos < cal_edit_history_get_n_steps (h))
    expected = cal_edit_history_get_step (h, pos);

  if (op == CAL_EDIT_OP_DO)
    {
      if (!cal_edit_step_apply (step, r->mask, error))
        return FALSE;
      cal_edit_history_push (h, step);
      return TRUE;
    }
  if (expected != NULL && cal_edit_step_same_change (expected, step))
    return (op == CAL_EDIT_OP_UNDO ? cal_edit_history_undo (h, r->mask, error)
                                   : cal_edit_history_redo (h, r->mask, error)) != NULL;
  if (!cal_edit_step_apply (step, r->mask, error))
    return FALSE;
  if (op == CAL_EDIT_OP_REDO)
    cal_edit_history_push (h, step);
  else
    cal_edit_history_clear (h);
  return TRUE;
}

typedef struct {
  const guint8 *p;
  gsize         n, at;
} Records;

/* The next complete record's body, or NULL at the end or at damage (then
 * *damaged says which). */
static const guint8 *
next_record (Records  *rs,
             gsize    *n_body,
             gboolean *damaged)
{
  guint32 len, crc;

  *damaged = FALSE;
  if (rs->at == rs->n)
    return NULL;
  *damaged = TRUE;
  if (rs->n - rs->at < 12 || memcmp (rs->p + rs->at, "CJR1", 4) != 0)
    return NULL;
  memcpy (&len, rs->p + rs->at + 4, 4);
  memcpy (&crc, rs->p + rs->at + 8, 4);
  len = GUINT32_FROM_LE (len);
  if (len < 9 || len > rs->n - rs->at - 12
      || GUINT32_FROM_LE (crc) != (guint32) crc32 (crc32 (0, NULL, 0), rs->p + rs->at + 12, len))
    return NULL;
  *damaged = FALSE;
  *n_body = len;
  rs->at += 12 + len;
  return rs->p + rs->at - len;
}

static gboolean
replay_journal (CalEditRecovery  *r,
                const char       *folder,
                GError          **error)
{
  g_autofree char *path = g_build_filename (folder, "journal", NULL);
  g_autofree char *data = NULL;
  Records rs = { 0 };
  const guint8 *body;
  gsize n_body, good = 0;
  gboolean damaged;
  guint64 expected_seq = 1;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* It is made before session.ini and removed after it: only damage
       * takes it away from a session. */
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                   "The session's journal file is missing: the session cannot be trusted");
      return FALSE;
    }
  if (!g_file_get_contents (path, &data, &rs.n, error))
    return FALSE;
  rs.p = (const guint8 *) data;
  while ((body = next_record (&rs, &n_body, &damaged)) != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (body + 9, n_body - 9);
      g_autoptr(CalEditStep) step = NULL;
      guint64 seq;
      guint8 op = body[8];

      memcpy (&seq, body, 8);
      seq = GUINT64_FROM_LE (seq);
      if (seq != expected_seq || op < CAL_EDIT_OP_DO || op > CAL_EDIT_OP_REDO)
        {
          damaged = TRUE;
          rs.at = good;
          break;
        }
      expected_seq++;
      if (seq > r->checkpoint_seq)
        {
          step = cal_edit_step_deserialize (bytes, cal_mask_get_grid (r->mask)->dims, error);
          if (step == NULL || !replay (r, op, step, error))
            return FALSE;
          r->n_replayed++;
        }
      r->seq = seq;
      good = rs.at;
    }
  if (damaged)
    {
      gboolean torn = rs.n - good < 12;
      if (!torn)
        {
          guint32 len;
          memcpy (&len, rs.p + good + 4, 4);
          torn = memcmp (rs.p + good, "CJR1", 4) == 0 && GUINT32_FROM_LE (len) > rs.n - good - 12;
        }
      r->tail_discarded = TRUE;
      r->tail_reason = torn
        ? g_strdup_printf ("the last record was cut short (%" G_GSIZE_FORMAT " bytes dropped)", rs.n - good)
        : g_strdup_printf ("a damaged record at byte %" G_GSIZE_FORMAT ": it and everything after it "
                           "(%" G_GSIZE_FORMAT " bytes) were dropped", good, rs.n - good);
    }
  r->valid_bytes = good;
  if (r->seq < r->checkpoint_seq)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                   "The session's journal is shorter than its checkpoint: the session cannot be trusted");
      return FALSE;
    }
  return TRUE;
}

CalEditRecovery *
cal_edit_journal_recover (const char  *session_path,
                          GError     **error)
{
  g_autoptr(CalEditRecovery) r = g_new0 (CalEditRecovery, 1);
  g_autofree guint8 *labels = NULL;
  CalGrid grid;
  gboolean base_empty;
  g_autoptr(GError) ckpt_error = NULL;

  r->path = g_strdup (session_path);
  if (!read_session_ini (session_path, &grid, &r->scan_token, &base_empty, error))
    return NULL;
  if (!cal_edit_checkpoint_read (session_path, grid.dims, &labels, &r->checkpoint_seq, &ckpt_error))
    {
      /* The journal holds every step since an empty start: the checkpoint
       * only saves time, so a damaged one is passed over. */
      if (!base_empty)
        {
          if (ckpt_error != NULL)
            g_propagate_error (error, g_steal_pointer (&ckpt_error));
          else
            g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                         "The session's first checkpoint was never finished: the mask it began with is lost");
          return NULL;
        }
      r->checkpoint_seq = 0;
    }
  r->mask = labels != NULL ? cal_mask_new_take (&grid, g_steal_pointer (&labels)) : cal_mask_new (&grid);
  r->history = cal_edit_history_new (0, 0);
  if (!replay_journal (r, session_path, error))
    return NULL;
  return g_steal_pointer (&r);
}

CalEditJournal *
cal_edit_journal_resume (CalEditRecovery  *recovery,
                         GError          **error)
{
  CalEditJournal *j = journal_new (recovery->path, recovery->mask, FALSE);

  j->lock_fd = take_lock (recovery->path, error);
  if (j->lock_fd < 0 || !open_journal_file (j, recovery->valid_bytes, error))
    {
      journal_free (j);
      return NULL;
    }
  j->seq = recovery->seq;
  j->base_checkpoint_seq = recovery->checkpoint_seq;
  /* A fresh checkpoint: the next crash starts from here. */
  cal_edit_journal_checkpoint (j);
  return j;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The crash-safe journal: what is recovered after a close, a torn or
 * damaged record, checkpoints written while editing goes on, and a full
 * disk during a checkpoint or a record. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <utime.h>
#include <time.h>

#include "cal-test-util.h"
#include "cal-test-edit.h"

typedef struct {
  char           *state_dir;
  CalMask        *mask;
  CalEditSession *session;
  GPtrArray      *states;     /* the mask after each journal record */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const double spacing[3] = { 0.9, 0.9, 1.25 };
  g_autoptr(GError) error = NULL;

  f->state_dir = g_dir_make_tmp ("cal-journal-XXXXXX", NULL);
  f->mask = cal_test_new_mask (40, 36, 18, spacing);
  f->session = cal_edit_session_new (f->mask, NULL);
  g_assert_true (cal_edit_session_start_journal (f->session, f->state_dir, "token", &error));
  g_assert_no_error (error);
  f->states = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->states, copy_labels (f->mask));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->mask);
  g_ptr_array_unref (f->states);
  remove_tree (f->state_dir);
  g_free (f->state_dir);
}

/* n random steps with some undo and redo; states[i] is the mask after the
 * journal's record i. */
static void
edit_randomly (Fixture *f,
               guint    n,
               guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  CalEditHistory *history = cal_edit_session_get_history (f->session);

  for (guint i = 0; i < n; i++)
    {
      int what = g_rand_int_range (rand, 0, 8);
      if (what == 0 && cal_edit_history_can_undo (history))
        g_assert_true (cal_edit_session_undo (f->session, NULL));
      else if (what == 1 && cal_edit_history_can_redo (history))
        g_assert_true (cal_edit_session_redo (f->session, NULL));
      else
        random_operation (f->session, rand, i);
      g_ptr_array_set_size (f->states, cal_edit_journal_get_seq (journal));
      g_ptr_array_add (f->states, copy_labels (f->mask));
    }
}

static char *
session_folder (Fixture *f)
{
  return g_strdup (cal_edit_journal_get_path (cal_edit_session_get_journal (f->session)));
}

static CalEditRecovery *
close_and_recover (Fixture *f)
{
  g_autofree char *folder = session_folder (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) orphans = NULL;
  CalEditRecovery *r;

  /* While it is open, no other Calvaria may take it. */
  orphans = cal_edit_journal_list_orphans (f->state_dir);
  g_assert_cmpuint (orphans->len, ==, 0);
  g_assert_true (cal_edit_session_end_journal (f->session, FALSE, &error));
  g_clear_pointer (&orphans, g_ptr_array_unref);
  orphans = cal_edit_journal_list_orphans (f->state_dir);
  g_assert_cmpuint (orphans->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (orphans, 0), ==, folder);
  r = cal_edit_journal_recover (folder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static void
test_recover_after_close (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(CalEditSession) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = session_folder (f);
  guint position;

  edit_randomly (f, 60, 11);
  position = cal_edit_history_get_position (cal_edit_session_get_history (f->session));
  r = close_and_recover (f);
  assert_labels (r->mask, cal_mask_get_labels (f->mask), "recovered mask");
  g_assert_false (r->tail_discarded);
  g_assert_cmpstr (r->scan_token, ==, "token");
  g_assert_cmpuint (r->seq, ==, f->states->len - 1);
  /* The folder is named by a random id, nothing else. */
  g_assert_true (g_uuid_string_is_valid (strrchr (folder, '/') + 1));
  /* Steps after the checkpoint come back undoable. */
  g_assert_cmpuint (cal_edit_history_get_position (r->history), ==, position);

  /* Resumed, the session goes on journalling in the same folder; a second
   * crash loses nothing either. */
  again = cal_edit_session_new_recovered (r, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cal_edit_session_undo (again, &error));
  g_assert_true (cal_edit_session_redo (again, &error));
  g_assert_true (cal_edit_session_undo (again, &error));
  {
    g_autofree guint8 *expected = copy_labels (cal_edit_session_get_mask (again));
    g_autoptr(CalEditRecovery) second = NULL;
    g_assert_true (cal_edit_journal_wait (cal_edit_session_get_journal (again), NULL));
    g_assert_true (cal_edit_session_end_journal (again, FALSE, &error));
    second = cal_edit_journal_recover (folder, &error);
    g_assert_no_error (error);
    assert_labels (second->mask, expected, "recovered twice");
  }
}

static gsize
file_size (const char *folder,
           const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
test_torn_record (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *folder = session_folder (f);
  g_autofree char *journal = g_build_filename (folder, "journal", NULL);
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;

  edit_randomly (f, 30, 5);
  g_assert_true (cal_edit_session_end_journal (f->session, FALSE, &error));
  size = file_size (folder, "journal");
  /* A kill in the middle of the last write: its record is cut short. */
  g_assert_cmpint (truncate (journal, size - 5), ==, 0);
  r = cal_edit_journal_recover (folder, &error);
  g_assert_no_error (error);
  g_assert_true (r->tail_discarded);
  g_assert_nonnull (strstr (r->tail_reason, "cut short"));
  g_assert_cmpuint (r->seq, ==, f->states->len - 2);
  assert_labels (r->mask, g_ptr_array_index (f->states, f->states->len - 2), "the mask before the torn step");
}

static void
test_damaged_record (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *folder = session_folder (f);
  g_autofree char *journal = g_build_filename (folder, "journal", NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(GError) error = NULL;
  gsize size, offset = 0;
  guint record = 0;

  edit_randomly (f, 30, 9);
  g_assert_true (cal_edit_session_end_journal (f->session, FALSE, &error));
  g_assert_true (g_file_get_contents (journal, &bytes, &size, NULL));
  /* Flip one byte inside record 12's body: the CRC catches it. */
  for (record = 1; record < 12; record++)
    {
      guint32 len;
      memcpy (&len, bytes + offset + 4, 4);
      offset += 12 + GUINT32_FROM_LE (len);
    }
  bytes[offset + 30] ^= 0x40;
  g_assert_true (g_file_set_contents (journal, bytes, size, NULL));
  r = cal_edit_journal_recover (folder, &error);
  g_assert_no_error (error);
  g_assert_true (r->tail_discarded);
  g_assert_nonnull (strstr (r->tail_reason, "damaged record"));
  g_assert_cmpuint (r->seq, ==, 11);
  assert_labels (r->mask, g_ptr_array_index (f->states, 11), "the mask before the damaged record");
}

static void
test_checkpoint_while_editing (Fixture       *f,
                               gconstpointer  data)
{
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 6; round++)
    {
      /* Ask for a checkpoint and go on editing at once: it is written
       * from a copy while the strokes continue. */
      cal_edit_journal_checkpoint (journal);
      edit_randomly (f, 9, 100 + round);
    }
  g_assert_true (cal_edit_journal_wait (journal, &error));
  g_assert_cmpuint (cal_edit_journal_get_checkpoint_seq (journal), >, 0);
  r = close_and_recover (f);
  g_assert_cmpuint (r->checkpoint_seq, >, 0);
  g_assert_cmpuint (r->n_replayed, ==, r->seq - r->checkpoint_seq);
  assert_labels (r->mask, cal_mask_get_labels (f->mask), "recovered from a checkpoint and the records after it");
}

static void
with_file_size_limit (rlim_t limit,
                      void (*fn) (Fixture *f),
                      Fixture *f)
{
  struct rlimit old, small;

  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = limit;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  fn (f);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
}

static void
checkpoint_on_full_disk (Fixture *f)
{
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  g_autoptr(GError) error = NULL;
  guint64 before = cal_edit_journal_get_checkpoint_seq (journal);

  cal_edit_journal_checkpoint (journal);
  g_assert_false (cal_edit_journal_wait (journal, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (cal_edit_journal_get_checkpoint_seq (journal), ==, before);
}

static void
test_full_disk_during_checkpoint (Fixture       *f,
                                  gconstpointer  data)
{
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  g_autofree char *folder = session_folder (f);
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(GError) error = NULL;
  gsize checkpoint_size;

  edit_randomly (f, 20, 3);
  cal_edit_journal_checkpoint (journal);
  g_assert_true (cal_edit_journal_wait (journal, &error));
  checkpoint_size = file_size (folder, "checkpoint");
  edit_randomly (f, 10, 4);
  /* The disk fills while the next checkpoint is written: it fails, the
   * previous checkpoint stays as it was, and recovery still gets every step. */
  with_file_size_limit (checkpoint_size / 2, checkpoint_on_full_disk, f);
  g_assert_cmpuint (file_size (folder, "checkpoint"), ==, checkpoint_size);
  r = close_and_recover (f);
  assert_labels (r->mask, cal_mask_get_labels (f->mask), "recovered after a failed checkpoint");
}

static void
record_on_full_disk (Fixture *f)
{
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) result = cal_mask_new (cal_mask_get_grid (f->mask));
  guint8 *l = cal_mask_get_labels_mutable (result);

  for (gsize v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (result)); v++)
    l[v] = (v * 7919u) % 3 == 0;
  g_assert_false (cal_edit_session_replace_labels (f->session, result, "Threshold", NULL, &error));
  g_assert_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL);
  g_assert_nonnull (strstr (error->message, "still in the window"));
  g_assert_false (cal_edit_journal_is_safe (journal));
  /* Applied and undoable all the same. */
  g_assert_cmpuint (cal_mask_count (f->mask, 1), ==, cal_mask_count (result, 1));
  cal_edit_journal_wait (journal, NULL);
}

static void
test_full_disk_during_record (Fixture       *f,
                              gconstpointer  data)
{
  CalEditJournal *journal = cal_edit_session_get_journal (f->session);
  g_autoptr(CalEditRecovery) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = session_folder (f);

  edit_randomly (f, 10, 8);
  with_file_size_limit (file_size (folder, "journal") + 64, record_on_full_disk, f);
  /* Space again: the next step asks for a checkpoint, which makes the
   * journal whole. */
  edit_randomly (f, 3, 12);
  g_assert_true (cal_edit_journal_wait (journal, &error));
  g_assert_true (cal_edit_journal_is_safe (journal));
  edit_randomly (f, 5, 13);
  r = close_and_recover (f);
  assert_labels (r->mask, cal_mask_get_labels (f->mask), "recovered after a failed record");
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *folder = session_folder (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) orphans = NULL;

  edit_randomly (f, 5, 1);
  g_assert_true (cal_edit_session_end_journal (f->session, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  orphans = cal_edit_journal_list_orphans (f->state_dir);
  g_assert_cmpuint (orphans->len, ==, 0);
}

/* A kill while the journal was being removed (after session.ini went, the
 * first file removed): no session to offer, and the leftover is swept once
 * it is a minute old. */
static void
test_half_removed (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = session_folder (f);
  g_autofree char *ini = g_build_filename (folder, "session.ini", NULL);
  g_autoptr(GPtrArray) orphans = NULL;
  struct utimbuf old = { time (NULL) - 3600, time (NULL) - 3600 };

  edit_randomly (f, 5, 2);
  g_assert_true (cal_edit_session_end_journal (f->session, FALSE, NULL));
  g_assert_cmpint (g_unlink (ini), ==, 0);
  orphans = cal_edit_journal_list_orphans (f->state_dir);
  g_assert_cmpuint (orphans->len, ==, 0);
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));   /* young: left alone */
  g_assert_cmpint (utime (folder, &old), ==, 0);
  g_clear_pointer (&orphans, g_ptr_array_unref);
  orphans = cal_edit_journal_list_orphans (f->state_dir);
  g_assert_cmpuint (orphans->len, ==, 0);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/journal/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("recover-after-close", test_recover_after_close);
  ADD ("torn-record", test_torn_record);
  ADD ("damaged-record", test_damaged_record);
  ADD ("checkpoint-while-editing", test_checkpoint_while_editing);
  ADD ("full-disk-during-checkpoint", test_full_disk_during_checkpoint);
  ADD ("full-disk-during-record", test_full_disk_during_record);
  ADD ("remove-on-save-or-discard", test_remove);
  ADD ("half-removed", test_half_removed);
#undef ADD
  return g_test_run ();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the per-CPU record ring (module/ring.c, compiled in
 * here).  Records are synthetic: a header and a byte pattern derived from
 * the timestamp, so every byte read back can be checked.  The ring is the
 * smallest at_ring_init() accepts, 1024 bytes, so that wrap-around and
 * full-ring cases take a handful of records.
 */
#include "kunit_compat.h"
#include <linux/mman.h>

#include "../module/compat.h"	/* AT_HAVE_KUNIT_VM_MMAP */

/*
 * Deterministic interleaving of the reader with the producer.  The reader
 * and the producer of a ring meet only in atomic operations on the
 * ring's shared words (and in the head and tail they publish).  While
 * race_reader is set, every atomic64 operation ring.c makes is a race
 * point, before and after it; at point race_at the test runs race_fn,
 * the producer's part, as if it had run on its CPU just then.  A case
 * tries every point in turn, until the reader passes fewer than
 * race_at points, and checks the same result each time.
 */
static bool race_reader;
static int race_at, race_points;
static void (*race_fn)(void);

static void race_point(void)
{
	if (!race_reader || ++race_points != race_at)
		return;
	race_reader = false;
	race_fn();
	race_reader = true;
}

#define RACE_OP(type, op)	({ type __v; race_point(); __v = (op); \
				   race_point(); __v; })
#define RACE_VOID(op)		do { race_point(); op; race_point(); } while (0)
#define atomic64_read(v)		RACE_OP(s64, atomic64_read(v))
#define atomic64_xchg(v, n)		RACE_OP(s64, atomic64_xchg(v, n))
#define atomic64_cmpxchg(v, o, n)	RACE_OP(s64, atomic64_cmpxchg(v, o, n))
#define atomic64_try_cmpxchg(v, o, n)	RACE_OP(bool, atomic64_try_cmpxchg(v, o, n))
#define atomic64_fetch_or(i, v)		RACE_OP(s64, atomic64_fetch_or(i, v))
#define atomic64_fetch_andnot(i, v)	RACE_OP(s64, atomic64_fetch_andnot(i, v))
#define atomic64_add(i, v)		RACE_VOID(atomic64_add(i, v))
#define atomic64_inc(v)			RACE_VOID(atomic64_inc(v))
#define atomic64_or(i, v)		RACE_VOID(atomic64_or(i, v))
#define atomic64_andnot(i, v)		RACE_VOID(atomic64_andnot(i, v))

#include "../module/ring.c"
#include "at_test.h"

#define RING_SIZE	1024
#define RING_CPU	3
#define TEST_TYPE	0x7e	/* not a real record type: the ring is agnostic */
#define LOST_SIZE	((u16)sizeof(struct accepttrace_lost))

struct test_rec {
	struct accepttrace_hdr	hdr;
	u8			payload[ACCEPTTRACE_REC_MAX -
					sizeof(struct accepttrace_hdr)];
};

static void make_rec(struct test_rec *t, u16 size, u64 ts)
{
	u32 i;

	memset(t, 0, sizeof(*t));
	t->hdr.type = TEST_TYPE;
	t->hdr.size = size;
	t->hdr.ts_ns = ts;
	for (i = 0; i < size - sizeof(t->hdr); i++)
		t->payload[i] = (u8)(ts * 7 + i);
}

/* Scratch records: too big for the stack, and cases run one at a time. */
static struct test_rec put_rec, got_rec, want_rec;

/* Write a record of @size bytes stamped @ts; returns at_ring_write(). */
static bool put(struct at_ring *r, u16 size, u64 ts)
{
	make_rec(&put_rec, size, ts);
	return at_ring_write(r, &put_rec.hdr);
}

/* Take the next record out of @r; false if there is none. */
static bool pop(struct at_ring *r, struct test_rec *out)
{
	struct accepttrace_hdr h;

	memset(out, 0, sizeof(*out));
	if (!at_ring_peek(r, &h))
		return false;
	at_ring_read(r, out, h.size);
	at_ring_consume(r);
	return true;
}

/* Pop one record and check it is the one put() wrote with @size, @ts. */
static void expect_pop(struct kunit *test, struct at_ring *r, u16 size,
		       u64 ts, u64 seq)
{
	struct test_rec *got = &got_rec, *want = &want_rec;

	KUNIT_ASSERT_TRUE(test, pop(r, got));
	make_rec(want, size, ts);
	want->hdr.cpu = RING_CPU;
	want->hdr.seq = seq;
	KUNIT_EXPECT_EQ(test, got->hdr.type, TEST_TYPE);
	KUNIT_EXPECT_EQ(test, got->hdr.size, size);
	KUNIT_EXPECT_EQ(test, got->hdr.cpu, RING_CPU);
	KUNIT_EXPECT_EQ(test, got->hdr.seq, seq);
	KUNIT_EXPECT_EQ(test, got->hdr.ts_ns, ts);
	KUNIT_EXPECT_MEMEQ(test, got, want, size);
}

/* Pop one record and check it is a LOST record of @count. */
static void expect_pop_lost(struct kunit *test, struct at_ring *r, u64 count,
			    u64 ts)
{
	struct accepttrace_lost lost;

	KUNIT_ASSERT_TRUE(test, pop(r, &got_rec));
	memcpy(&lost, &got_rec, sizeof(lost));
	KUNIT_EXPECT_EQ(test, lost.hdr.type, ACCEPTTRACE_REC_LOST);
	KUNIT_EXPECT_EQ(test, lost.hdr.size, LOST_SIZE);
	KUNIT_EXPECT_EQ(test, lost.hdr.cpu, RING_CPU);
	KUNIT_EXPECT_EQ(test, lost.hdr.seq, 0);
	KUNIT_EXPECT_EQ(test, lost.hdr.ts_ns, ts);
	KUNIT_EXPECT_EQ(test, lost.count, count);
}

/* A LOST record of @count, whoever wrote it (it then has either time). */
static void expect_pop_lost_ts(struct kunit *test, struct at_ring *r,
			       u64 count, u64 ts1, u64 ts2, int point)
{
	struct accepttrace_lost lost;

	KUNIT_ASSERT_TRUE_MSG(test, pop(r, &got_rec), "race point %d", point);
	memcpy(&lost, &got_rec, sizeof(lost));
	KUNIT_EXPECT_EQ_MSG(test, lost.hdr.type, ACCEPTTRACE_REC_LOST,
			    "race point %d: seq %llu ts %llu where the LOST belongs",
			    point, lost.hdr.seq, lost.hdr.ts_ns);
	KUNIT_EXPECT_EQ_MSG(test, lost.count, count, "race point %d", point);
	KUNIT_EXPECT_EQ_MSG(test, lost.hdr.seq, 0, "race point %d", point);
	KUNIT_EXPECT_TRUE_MSG(test, lost.hdr.ts_ns == ts1 ||
			      lost.hdr.ts_ns == ts2,
			      "race point %d: LOST at ts %llu", point,
			      lost.hdr.ts_ns);
}

static void expect_empty(struct kunit *test, struct at_ring *r)
{
	struct accepttrace_hdr h;

	KUNIT_EXPECT_FALSE(test, at_ring_peek(r, &h));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 0);
}

/* Eight 128-byte records, ts 1..8, seq 0..7: exactly full. */
static void fill(struct kunit *test, struct at_ring *r)
{
	u64 i;

	for (i = 1; i <= 8; i++)
		KUNIT_ASSERT_TRUE(test, put(r, 128, i));
	KUNIT_ASSERT_EQ(test, at_ring_used(r), RING_SIZE);
}

static int ring_test_init(struct kunit *test)
{
	struct at_ring *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, at_ring_init(r, RING_SIZE, RING_CPU), 0);
	test->priv = r;
	return 0;
}

static void ring_test_exit(struct kunit *test)
{
	at_ring_destroy(test->priv);
}

static void ring_test_init_sizes(struct kunit *test)
{
	struct at_ring *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Must hold two of the largest record, and be a power of two. */
	KUNIT_EXPECT_EQ(test, at_ring_init(r, 512, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, at_ring_init(r, 1000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, at_ring_init(r, 1536, 0), -EINVAL);
	KUNIT_ASSERT_EQ(test, at_ring_init(r, 2048, 1), 0);
	KUNIT_EXPECT_EQ(test, r->size, 2048);
	KUNIT_EXPECT_EQ(test, r->cpu, 1);
	KUNIT_EXPECT_EQ(test, r->head, 0);
	KUNIT_EXPECT_EQ(test, r->tail, 0);
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 0);
	at_ring_destroy(r);
	KUNIT_EXPECT_NULL(test, r->data);
}

static void ring_test_empty(struct kunit *test)
{
	struct at_ring *r = test->priv;

	expect_empty(test, r);
	/* Peeking an empty ring changes nothing. */
	expect_empty(test, r);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 0);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 0);
	KUNIT_EXPECT_FALSE(test, r->synth_pending);
}

static void ring_test_one_record(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;

	KUNIT_ASSERT_TRUE(test, put(r, 64, 1000));
	/* The writer stamps cpu and seq into the caller's record too. */
	KUNIT_EXPECT_EQ(test, put_rec.hdr.cpu, RING_CPU);
	KUNIT_EXPECT_EQ(test, put_rec.hdr.seq, 0);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 1);
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 1);

	/* Peek does not consume. */
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_EXPECT_EQ(test, h.size, 64);
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64);

	expect_pop(test, r, 64, 1000, 0);
	expect_empty(test, r);
	KUNIT_EXPECT_EQ(test, r->last_ts, 1000);
}

static void ring_test_partial_read(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	u8 buf[64];

	KUNIT_ASSERT_TRUE(test, put(r, 48, 5));
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	memset(buf, 0xaa, sizeof(buf));
	/* A short read copies exactly the bytes asked for. */
	at_ring_read(r, buf, 30);
	KUNIT_EXPECT_EQ(test, buf[29], (u8)(5 * 7 + 29 - sizeof(h)));
	KUNIT_EXPECT_EQ(test, buf[30], 0xaa);
	/* ...and leaves the record in place. */
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 48);
	expect_pop(test, r, 48, 5, 0);
}

static void ring_test_fill_exactly(struct kunit *test)
{
	struct at_ring *r = test->priv;
	u64 i;

	/* before: empty  after: [1 2 3 4 5 6 7 8], head - tail == size */
	fill(test, r);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 8);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 0);
	for (i = 1; i <= 8; i++)
		expect_pop(test, r, 128, i, i - 1);
	expect_empty(test, r);
}

static void ring_test_full_drops(struct kunit *test)
{
	struct at_ring *r = test->priv;

	fill(test, r);
	/* before: [1..8] full  after: [1..8], lost=1, seq 8 used */
	KUNIT_EXPECT_FALSE(test, put(r, 24, 9));
	KUNIT_EXPECT_EQ(test, put_rec.hdr.seq, 8);
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 9);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 1);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 8);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 1);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), RING_SIZE);

	KUNIT_EXPECT_FALSE(test, put(r, 24, 10));
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 10);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 2);

	/* The records already in the ring are intact. */
	expect_pop(test, r, 128, 1, 0);
}

static void ring_test_lost_precedes_next_write(struct kunit *test)
{
	struct at_ring *r = test->priv;
	u64 i;

	fill(test, r);
	KUNIT_EXPECT_FALSE(test, put(r, 64, 9));	/* seq 8 */
	KUNIT_EXPECT_FALSE(test, put(r, 64, 10));	/* seq 9 */
	expect_pop(test, r, 128, 1, 0);
	/*
	 * before: [2..8] + 128 free, 2 unreported
	 * after:  [2..8 LOST(2) 11], the LOST taking exactly its 32 bytes
	 */
	KUNIT_ASSERT_TRUE(test, put(r, 128 - LOST_SIZE, 11));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), RING_SIZE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 0);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 9);
	for (i = 2; i <= 8; i++)
		expect_pop(test, r, 128, i, i - 1);
	/* The LOST record carries the next record's time... */
	expect_pop_lost(test, r, 2, 11);
	/* ...and the seq gap after it is exactly its count. */
	expect_pop(test, r, 128 - LOST_SIZE, 11, 10);
	expect_empty(test, r);
}

static void ring_test_lost_needs_room_for_both(struct kunit *test)
{
	struct at_ring *r = test->priv;

	fill(test, r);
	KUNIT_EXPECT_FALSE(test, put(r, 128, 9));	/* seq 8 */
	expect_pop(test, r, 128, 1, 0);
	/* 128 bytes free: the record fits, record + LOST does not. */
	KUNIT_EXPECT_FALSE(test, put(r, 128, 10));	/* seq 9 */
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 2);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), RING_SIZE - 128);

	expect_pop(test, r, 128, 2, 1);
	KUNIT_ASSERT_TRUE(test, put(r, 128, 11));	/* seq 10 */
	KUNIT_EXPECT_EQ(test, at_ring_used(r), RING_SIZE - 256 + 128 + LOST_SIZE);
	expect_pop(test, r, 128, 3, 2);
}

static void ring_test_reader_reports_lost(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	u64 i;

	fill(test, r);
	for (i = 9; i <= 11; i++)
		KUNIT_EXPECT_FALSE(test, put(r, 64, i));
	for (i = 1; i <= 8; i++)
		expect_pop(test, r, 128, i, i - 1);
	/*
	 * before: empty ring, 3 unreported, nothing more written
	 * after:  the reader sees LOST(3), stamped with the last record's time
	 */
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_EXPECT_EQ(test, h.type, ACCEPTTRACE_REC_LOST);
	KUNIT_EXPECT_TRUE(test, r->synth_pending);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 0);
	/* Peeking again returns the same record, not a second one. */
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_EXPECT_EQ(test, h.type, ACCEPTTRACE_REC_LOST);
	expect_pop_lost(test, r, 3, 8);
	expect_empty(test, r);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 3);

	/* Reported once: the next record is not preceded by a LOST. */
	KUNIT_ASSERT_TRUE(test, put(r, 64, 12));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64);
	expect_pop(test, r, 64, 12, 11);
	expect_empty(test, r);
}

static void ring_test_reader_lost_then_write(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	u64 i;

	fill(test, r);
	KUNIT_EXPECT_FALSE(test, put(r, 64, 9));
	for (i = 1; i <= 8; i++)
		expect_pop(test, r, 128, i, i - 1);
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	/* A record written while the reader holds the LOST comes after it. */
	KUNIT_ASSERT_TRUE(test, put(r, 64, 10));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64);
	expect_pop_lost(test, r, 1, 8);
	expect_pop(test, r, 64, 10, 9);
	expect_empty(test, r);
}

/*
 * The reader finds the ring empty with a drop unreported and reports it
 * itself, while the producer writes R1, then R2, after the drop.
 * Whatever the reader's step R1 comes at, the LOST is read before R1.
 */
static struct at_ring *race_ring;

static void race_put_r1(void)
{
	put(race_ring, 64, 10);
}

static void ring_test_lost_race_record_after(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	bool fired;
	u64 i;
	int k;

	for (k = 1; k < 64; k++) {
		at_ring_destroy(r);
		KUNIT_ASSERT_EQ(test, at_ring_init(r, RING_SIZE, RING_CPU), 0);
		fill(test, r);
		KUNIT_ASSERT_FALSE(test, put(r, 64, 9));	/* seq 8 */
		for (i = 1; i <= 8; i++)
			expect_pop(test, r, 128, i, i - 1);

		/* before: empty, 1 unreported; R1 at the reader's point k */
		race_ring = r;
		race_fn = race_put_r1;
		race_at = k;
		race_points = 0;
		race_reader = true;
		at_ring_peek(r, &h);
		race_reader = false;
		fired = race_points >= k;
		if (!fired)
			race_put_r1();
		KUNIT_ASSERT_TRUE(test, put(r, 64, 11));	/* R2, seq 10 */

		/* after: LOST(1), R1 (seq 9), R2 (seq 10) */
		expect_pop_lost_ts(test, r, 1, 8, 10, k);
		expect_pop(test, r, 64, 10, 9);
		expect_pop(test, r, 64, 11, 10);
		expect_empty(test, r);
		KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 0);
		if (!fired)
			break;
	}
	/* The reader did pass race points: the loop tried them all. */
	KUNIT_EXPECT_GT(test, k, 2);
	KUNIT_EXPECT_LT(test, k, 64);
}

/*
 * The reader finds the ring empty, and at its point k the producer
 * writes eight records and then drops one: the LOST comes after all
 * eight.
 */
static void race_fill_and_drop(void)
{
	u64 i;

	for (i = 1; i <= 8; i++)
		put(race_ring, 128, i);
	put(race_ring, 64, 9);
}

static void ring_test_lost_race_records_before(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	bool fired;
	u64 i;
	int k;

	for (k = 1; k < 64; k++) {
		at_ring_destroy(r);
		KUNIT_ASSERT_EQ(test, at_ring_init(r, RING_SIZE, RING_CPU), 0);
		race_ring = r;
		race_fn = race_fill_and_drop;
		race_at = k;
		race_points = 0;
		race_reader = true;
		at_ring_peek(r, &h);
		race_reader = false;
		fired = race_points >= k;
		if (!fired)
			race_fill_and_drop();
		KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 1);

		for (i = 1; i <= 8; i++)
			expect_pop(test, r, 128, i, i - 1);
		expect_pop_lost_ts(test, r, 1, 8, 8, k);
		expect_empty(test, r);
		KUNIT_ASSERT_TRUE(test, put(r, 64, 10));
		expect_pop(test, r, 64, 10, 9);
		expect_empty(test, r);
		if (!fired)
			break;
	}
	KUNIT_EXPECT_GT(test, k, 1);
	KUNIT_EXPECT_LT(test, k, 64);
}

/*
 * A second producer on the same CPU (an interrupt, an NMI) while a
 * record is reserved and not yet committed: its events are dropped and
 * counted, and reported by a LOST record after the open one.
 */
static void ring_test_nested_producer(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr *outer, *inner;

	/* before: empty; the outer record (ts 1, seq 0) reserved */
	outer = at_ring_reserve(r, TEST_TYPE, 64, 1);
	KUNIT_ASSERT_NOT_NULL(test, outer);
	KUNIT_EXPECT_EQ(test, outer->seq, 0);

	/* Two nested events: both dropped, seq 1 and 2 used. */
	inner = at_ring_reserve(r, TEST_TYPE, 128, 2);
	KUNIT_EXPECT_NULL(test, inner);
	KUNIT_EXPECT_FALSE(test, put(r, 64, 3));
	KUNIT_EXPECT_EQ(test, put_rec.hdr.seq, 2);
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 3);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 2);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 0);

	/* The outer record is intact and commits where it was reserved. */
	make_rec(&want_rec, 64, 1);
	memcpy(outer + 1, &want_rec.payload, 64 - sizeof(*outer));
	KUNIT_EXPECT_EQ(test, outer->type, TEST_TYPE);
	KUNIT_EXPECT_EQ(test, outer->size, 64);
	KUNIT_EXPECT_EQ(test, outer->ts_ns, 1);
	at_ring_commit(r, outer);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 1);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64);

	/* after: [outer(seq 0) LOST(2) next(seq 3)]: recorded + lost = 4 */
	KUNIT_ASSERT_TRUE(test, put(r, 64, 4));
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 4);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 2);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 0);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 64 + LOST_SIZE + 64);
	expect_pop(test, r, 64, 1, 0);
	expect_pop_lost(test, r, 2, 4);
	expect_pop(test, r, 64, 4, 3);
	expect_empty(test, r);
}

/* Nested while the open reservation took a pending LOST with it. */
static void ring_test_nested_after_lost(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr *outer;
	u64 i;

	fill(test, r);
	KUNIT_ASSERT_FALSE(test, put(r, 64, 9));	/* seq 8 */
	expect_pop(test, r, 128, 1, 0);
	expect_pop(test, r, 128, 2, 1);
	/* before: [3..8] + 256 free, 1 unreported */
	outer = at_ring_reserve(r, TEST_TYPE, 64, 10);	/* LOST(1), seq 9 */
	KUNIT_ASSERT_NOT_NULL(test, outer);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 0);
	KUNIT_EXPECT_NULL(test, at_ring_reserve(r, TEST_TYPE, 64, 11));
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->unreported), 1);
	make_rec(&want_rec, 64, 10);
	memcpy(outer + 1, &want_rec.payload, 64 - sizeof(*outer));
	at_ring_commit(r, outer);
	KUNIT_ASSERT_TRUE(test, put(r, 64, 12));	/* LOST(1), seq 11 */
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 10);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 2);
	KUNIT_EXPECT_EQ(test, local64_read(&r->seq), 12);
	for (i = 3; i <= 8; i++)
		expect_pop(test, r, 128, i, i - 1);
	expect_pop_lost(test, r, 1, 10);
	expect_pop(test, r, 64, 10, 9);
	expect_pop_lost(test, r, 1, 12);
	expect_pop(test, r, 64, 12, 11);
	expect_empty(test, r);
}

static void ring_test_wraparound(struct kunit *test)
{
	struct at_ring *r = test->priv;
	u64 next_put = 1, next_pop = 1;

	/*
	 * 200-byte records in a 1024-byte ring, four in flight: records
	 * start at every multiple of 8 modulo 1024 and many straddle the
	 * end.  100 records: the ring wraps about 20 times.
	 */
	while (next_put <= 4)
		KUNIT_ASSERT_TRUE(test, put(r, 200, next_put++));
	while (next_pop <= 100) {
		expect_pop(test, r, 200, next_pop, next_pop - 1);
		next_pop++;
		if (next_put <= 100)
			KUNIT_ASSERT_TRUE(test, put(r, 200, next_put++));
	}
	expect_empty(test, r);
	KUNIT_EXPECT_EQ(test, r->head, 100 * 200);
	KUNIT_EXPECT_EQ(test, r->tail, 100 * 200);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 0);
	KUNIT_EXPECT_EQ(test, local64_read(&r->recorded), 100);
}

static void ring_test_mixed_sizes(struct kunit *test)
{
	static const u16 sizes[] = {
		sizeof(struct accepttrace_hdr), LOST_SIZE, 40, 104,
		sizeof(struct accepttrace_inet_accept),
		sizeof(struct accepttrace_sys_accept4), 8 * 9, 24,
	};
	struct at_ring *r = test->priv;
	u64 i, done = 0;

	for (i = 0; i < 64; i++) {
		u16 size = sizes[i % ARRAY_SIZE(sizes)];

		/* Make room the way a reader would: oldest first. */
		while (RING_SIZE - at_ring_used(r) < size) {
			expect_pop(test, r, sizes[done % ARRAY_SIZE(sizes)],
				   done + 1, done);
			done++;
		}
		KUNIT_ASSERT_TRUE(test, put(r, size, i + 1));
	}
	for (; done < 64; done++)
		expect_pop(test, r, sizes[done % ARRAY_SIZE(sizes)], done + 1,
			   done);
	expect_empty(test, r);
	KUNIT_EXPECT_EQ(test, local64_read(&r->lost), 0);
}

static void ring_test_interleaved(struct kunit *test)
{
	struct at_ring *r = test->priv;

	/* before: empty  after: [1 2 3] -> [2 3] -> [2 3 4 5] -> empty */
	KUNIT_ASSERT_TRUE(test, put(r, 32, 1));
	KUNIT_ASSERT_TRUE(test, put(r, 40, 2));
	KUNIT_ASSERT_TRUE(test, put(r, 48, 3));
	expect_pop(test, r, 32, 1, 0);
	KUNIT_ASSERT_TRUE(test, put(r, 56, 4));
	KUNIT_ASSERT_TRUE(test, put(r, 64, 5));
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 40 + 48 + 56 + 64);
	expect_pop(test, r, 40, 2, 1);
	expect_pop(test, r, 48, 3, 2);
	expect_pop(test, r, 56, 4, 3);
	expect_pop(test, r, 64, 5, 4);
	expect_empty(test, r);
}

#if AT_HAVE_KUNIT_VM_MMAP
static void ring_test_read_user(struct kunit *test)
{
	struct at_ring *r = test->priv;
	struct accepttrace_hdr h;
	void __user *ubuf;
	unsigned long addr;
	u64 i;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	ubuf = (void __user *)addr;

	/* Move the ring's start to 1000: the next record straddles the end. */
	for (i = 1; i <= 5; i++) {
		KUNIT_ASSERT_TRUE(test, put(r, 200, i));
		expect_pop(test, r, 200, i, i - 1);
	}
	KUNIT_ASSERT_TRUE(test, put(r, 200, 6));
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_ASSERT_EQ(test, at_ring_read_user(r, ubuf, h.size), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&got_rec, ubuf, h.size), 0);
	make_rec(&want_rec, 200, 6);
	want_rec.hdr.cpu = RING_CPU;
	want_rec.hdr.seq = 5;
	KUNIT_EXPECT_MEMEQ(test, &got_rec, &want_rec, 200);

	/* A fault is reported and the record stays. */
	KUNIT_EXPECT_EQ(test, at_ring_read_user(r, (void __user *)16, h.size),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, at_ring_used(r), 200);
	expect_pop(test, r, 200, 6, 5);

	/* A LOST the reader made up is copied out the same way. */
	fill(test, r);
	KUNIT_EXPECT_FALSE(test, put(r, 64, 9));
	for (i = 1; i <= 8; i++)
		expect_pop(test, r, 128, i, i + 5);
	KUNIT_ASSERT_TRUE(test, at_ring_peek(r, &h));
	KUNIT_ASSERT_EQ(test, h.type, ACCEPTTRACE_REC_LOST);
	KUNIT_ASSERT_EQ(test, at_ring_read_user(r, ubuf, h.size), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&got_rec, ubuf, h.size), 0);
	KUNIT_EXPECT_EQ(test, got_rec.hdr.type, ACCEPTTRACE_REC_LOST);
	KUNIT_EXPECT_EQ(test, ((struct accepttrace_lost *)&got_rec)->count, 1);
	at_ring_consume(r);
	expect_empty(test, r);
}
#endif

/*
 * The reader's merge: oldest first across rings, from the heads taken
 * when the ring joined it; a record committed after that waits for the
 * next start.  Two rings of CPUs 0 and 1 whatever the CPUs here are
 * (merge_add(), as at_merge_start() adds each CPU's ring).
 */
static void ring_test_merge(struct kunit *test)
{
	static const int from[] = { 0, 1, 0, 1 };
	struct accepttrace_hdr h;
	struct at_ring *rings[2];
	struct at_merge *m;
	int i;

	m = kunit_kzalloc(test, struct_size(m, src, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < 2; i++) {
		rings[i] = kunit_kzalloc(test, sizeof(*rings[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, rings[i]);
		KUNIT_ASSERT_EQ(test, at_ring_init(rings[i], RING_SIZE, i), 0);
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, put(rings[from[i]], 64, i + 1));
	m->n = 0;
	merge_add(m, rings[0]);
	merge_add(m, rings[1]);
	KUNIT_EXPECT_EQ(test, m->n, 2);
	KUNIT_EXPECT_TRUE(test, put(rings[0], 64, 5));
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_PTR_EQ(test, at_merge_next(m, &h), rings[from[i]]);
		KUNIT_EXPECT_EQ(test, h.ts_ns, i + 1);
		KUNIT_EXPECT_EQ(test, h.cpu, from[i]);
		at_merge_consume(m);
	}
	/* Both rings' snapshots are used up: ring 0's new record waits. */
	KUNIT_EXPECT_EQ(test, m->n, 0);
	KUNIT_EXPECT_NULL(test, at_merge_next(m, &h));
	merge_add(m, rings[0]);
	merge_add(m, rings[1]);
	KUNIT_EXPECT_EQ(test, m->n, 1);
	KUNIT_ASSERT_PTR_EQ(test, at_merge_next(m, &h), rings[0]);
	KUNIT_EXPECT_EQ(test, h.ts_ns, 5);
	at_merge_consume(m);
	KUNIT_EXPECT_NULL(test, at_merge_next(m, &h));
	for (i = 0; i < 2; i++)
		at_ring_destroy(rings[i]);
}

/*
 * Emit a @size-byte record on this CPU's ring with interrupts off, so
 * that a kick is still pending when at_emit() returns: true if it kicked.
 * The kick's irq_work has run when this returns.
 */
static bool emit_kicks(struct at_ring *r, u16 size, u64 ts)
{
	struct accepttrace_hdr *hdr;
	unsigned long flags;
	bool kicked = false;

	local_irq_save(flags);
	hdr = at_ring_reserve(r, TEST_TYPE, size, ts);
	if (hdr) {
		at_emit(r, hdr);
		kicked = irq_work_is_pending(&r->wake);
	}
	local_irq_restore(flags);
	irq_work_sync(&r->wake);
	return kicked;
}

/*
 * The reader's wakeup (ring.c, "Waking readers"): a reader that found
 * the rings empty is kicked by the next record and by no other while it
 * drains; crossing a quarter full kicks whether anyone waits or not.
 * The rings of at_rings, 64 KiB each: 64-byte records, the 256th
 * crosses the quarter.
 */
static void ring_test_wake(struct kunit *test)
{
	struct test_rec out;
	struct at_ring *r;
	int i, kicks = 0, at = 0;

	KUNIT_ASSERT_EQ(test, at_test_rings_alloc(64 * 1024), 0);
	r = at_ring_of(raw_smp_processor_id());
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(at_wake_wanted));
	/* Empty: it says it waits. */
	KUNIT_EXPECT_FALSE(test, at_rings_want_wake());
	KUNIT_EXPECT_TRUE(test, READ_ONCE(at_wake_wanted));
	/* The next record kicks; the kick clears the flag. */
	KUNIT_EXPECT_TRUE(test, emit_kicks(r, 64, 1));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(at_wake_wanted));
	/* The records after it, until it looks again, kick nobody. */
	KUNIT_EXPECT_FALSE(test, emit_kicks(r, 64, 2));
	/* It looks: records there, no sleep; the flag is set again. */
	KUNIT_EXPECT_TRUE(test, at_rings_want_wake());
	KUNIT_EXPECT_TRUE(test, emit_kicks(r, 64, 3));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, pop(r, &out));
	KUNIT_EXPECT_FALSE(test, at_rings_want_wake());
	WRITE_ONCE(at_wake_wanted, false);
	/* Nobody waits: only the record that crosses a quarter kicks. */
	for (i = 1; i <= 300; i++) {
		if (emit_kicks(r, 64, 3 + i)) {
			kicks++;
			at = i;
		}
	}
	KUNIT_EXPECT_EQ(test, kicks, 1);
	KUNIT_EXPECT_EQ(test, at, 256);
	at_test_rings_free();
}

static struct kunit_case ring_test_cases[] = {
	KUNIT_CASE(ring_test_init_sizes),
	KUNIT_CASE(ring_test_empty),
	KUNIT_CASE(ring_test_one_record),
	KUNIT_CASE(ring_test_partial_read),
	KUNIT_CASE(ring_test_fill_exactly),
	KUNIT_CASE(ring_test_full_drops),
	KUNIT_CASE(ring_test_lost_precedes_next_write),
	KUNIT_CASE(ring_test_lost_needs_room_for_both),
	KUNIT_CASE(ring_test_reader_reports_lost),
	KUNIT_CASE(ring_test_reader_lost_then_write),
	KUNIT_CASE(ring_test_lost_race_record_after),
	KUNIT_CASE(ring_test_lost_race_records_before),
	KUNIT_CASE(ring_test_nested_producer),
	KUNIT_CASE(ring_test_nested_after_lost),
	KUNIT_CASE(ring_test_wraparound),
	KUNIT_CASE(ring_test_mixed_sizes),
	KUNIT_CASE(ring_test_interleaved),
	KUNIT_CASE(ring_test_merge),
	KUNIT_CASE(ring_test_wake),
#if AT_HAVE_KUNIT_VM_MMAP
	KUNIT_CASE(ring_test_read_user),
#endif
	{}
};

static struct kunit_suite ring_test_suite = {
	.name = "accepttrace_ring",
	.init = ring_test_init,
	.exit = ring_test_exit,
	.test_cases = ring_test_cases,
};

kunit_test_suite(ring_test_suite);

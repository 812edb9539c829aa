/* Byte budgets of peers' send queues (sendq.h): charged when queued,
 * refunded when libzmq lets go of the message, sent or not. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sendq.h"
#include "testutil.h"

static void frames(vt_out *o, size_t n, size_t bytes)
{
    vt_out_init(o);
    char *data = calloc(1, bytes ? bytes : 1);
    for (size_t i = 0; i < n; i++)
        vt_out_bytes(o, data, bytes);
    free(data);
}

START_TEST(test_small_messages_are_not_charged)
{
    vt_sendq *q = vt_sendq_new();
    vt_out o;
    frames(&o, 6, 100);
    ck_assert_int_eq(vt_sendq_charge(q, &o, 1000), 0);
    ck_assert_uint_eq(vt_sendq_bytes(q), 0);
    vt_out_close(&o);
    vt_sendq_release(&q);
}
END_TEST

START_TEST(test_charged_until_released_and_bounded)
{
    vt_sendq *q = vt_sendq_new();
    vt_out a, b, c;
    frames(&a, 3, 4000);
    frames(&b, 3, 4000);
    frames(&c, 3, 4000);
    ck_assert_int_eq(vt_sendq_charge(q, &a, 30000), 0);
    ck_assert_uint_eq(vt_sendq_bytes(q), 12000);
    ck_assert_int_eq(vt_sendq_charge(q, &b, 30000), 0);
    ck_assert_uint_eq(vt_sendq_bytes(q), 24000);
    /* the third would pass the limit: refused, nothing charged */
    ck_assert_int_eq(vt_sendq_charge(q, &c, 30000), -ENOBUFS);
    ck_assert_uint_eq(vt_sendq_bytes(q), 24000);
    /* closing a message (what libzmq does once it is written) refunds it */
    vt_out_close(&a);
    ck_assert_uint_eq(vt_sendq_bytes(q), 12000);
    ck_assert_int_eq(vt_sendq_charge(q, &c, 30000), 0);
    vt_out_close(&b);
    vt_out_close(&c);
    ck_assert_uint_eq(vt_sendq_bytes(q), 0);
    vt_sendq_release(&q);
}
END_TEST

START_TEST(test_one_oversized_message_when_empty)
{
    vt_sendq *q = vt_sendq_new();
    vt_out big, more;
    frames(&big, 1, 50000);
    frames(&more, 1, 2000);
    ck_assert_int_eq(vt_sendq_charge(q, &big, 30000), 0);
    ck_assert_int_eq(vt_sendq_charge(q, &more, 30000), -ENOBUFS);
    vt_out_close(&big);
    vt_out_close(&more);
    vt_sendq_release(&q);
}
END_TEST

START_TEST(test_budget_outlives_its_peer)
{
    /* The peer leaves while a message is still queued: the refund later
     * must find the budget alive (the sanitizers check). */
    vt_sendq *q = vt_sendq_new();
    vt_out o;
    frames(&o, 2, 5000);
    ck_assert_int_eq(vt_sendq_charge(q, &o, 100000), 0);
    vt_sendq_release(&q);
    ck_assert_ptr_null(q);
    vt_out_close(&o);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sendq");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_small_messages_are_not_charged);
    tcase_add_test(tc, test_charged_until_released_and_bounded);
    tcase_add_test(tc, test_one_oversized_message_when_empty);
    tcase_add_test(tc, test_budget_outlives_its_peer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}

-- Login throttling counts every attempt before the password is checked, in one
-- atomic statement per key (an account `user:NAME` or an address
-- `address:IP`), in a fixed window from the key's first attempt. It replaces
-- the table of failures, which was read before and written after the check
-- (concurrent attempts all slipped through).
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
DROP TABLE login_failures;

// Serialization keys on Redis, for the BullMQ adapter: the jobs that share a key run one at
// a time in every process on the same Redis and prefix, in the order they became due.
//
// Two structures per key, under `<prefix>:_serialization:` (a job name cannot start with
// "_", so no BullMQ queue's keys can collide with them):
// - `lock:<key>`: who runs now. SET NX PX with a per-attempt token, renewed while the job
//   runs, deleted by compare-and-delete; a killed process loses it when the TTL runs out.
// - `line:<key>`: a sorted set of turns, score = due time, member = `<seq>|<name>|<job id>`
//   with a zero-padded sequence, so equal due times keep the order of adds. A job may take
//   the lock only when every earlier turn belongs to a finished or vanished job; stale turns
//   are dropped on the way. Mutual exclusion rests on the lock alone, order on the line: a
//   flushed Redis loses both and costs time (a resync re-adds the jobs), not exclusion.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { QueueLogger } from "../../ports/job-queue.js";

/** A job's place in the line of its key; stored in the job's options. */
export interface Turn {
  key: string;
  member: string;
  dueAt: number;
}

/** The job whose turn is first and due, to be woken when a key is released. */
export interface NextTurn {
  name: string;
  jobId: string;
}

// Earlier turns of unfinished jobs hold this one back; finished or vanished ones are dropped.
const WALK_LINE = `
local function unfinished(member, prefix)
  local _, _, name, id = string.find(member, "^[^|]*|([^|]*)|(.*)$")
  local jobKey = prefix .. name .. ":" .. id
  return redis.call("EXISTS", jobKey) == 1 and redis.call("HEXISTS", jobKey, "finishedOn") == 0
end
`;

// KEYS: lock, line. ARGV: token, ttl ms, due, member, job key prefix, "take" | "check".
const TAKE = `${WALK_LINE}
local due, mine = tonumber(ARGV[3]), ARGV[4]
local earlier = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", due, "WITHSCORES")
for i = 1, #earlier, 2 do
  local member, score = earlier[i], tonumber(earlier[i + 1])
  if member == mine or (score == due and member > mine) then break end
  if unfinished(member, ARGV[5]) then return 0 end
  redis.call("ZREM", KEYS[2], member)
end
local holder = redis.call("GET", KEYS[1])
if ARGV[6] == "check" then return (not holder) and 1 or 0 end
if holder then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`;

// KEYS: lock. ARGV: token, ttl ms. 1 renewed, 2 taken back after it vanished, 0 held by another.
const RENEW = `
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then redis.call("PEXPIRE", KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2]) return 2 end
return 0
`;

// KEYS: lock, line. ARGV: token, member to drop or "", now, job key prefix. When a turn
// leaves, returns the first unfinished turn if it is due, so that the caller can wake its
// job; a job that will retry keeps its turn (and its backoff), and wakes nobody.
const RELEASE = `${WALK_LINE}
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
if ARGV[2] == "" then return false end
redis.call("ZREM", KEYS[2], ARGV[2])
while true do
  local head = redis.call("ZRANGE", KEYS[2], 0, 0, "WITHSCORES")
  if not head[1] then return false end
  if unfinished(head[1], ARGV[4]) then
    if tonumber(head[2]) <= tonumber(ARGV[3]) then return head[1] end
    return false
  end
  redis.call("ZREM", KEYS[2], head[1])
end
`;

export class SerializationKeys {
  constructor(
    private readonly redis: Redis,
    /** The BullMQ prefix: job hashes live at `<prefix>:<name>:<job id>`. */
    private readonly prefix: string,
    /** Lock TTL: how long a killed process keeps a key. */
    private readonly lockMs: number,
    private readonly logger: QueueLogger,
  ) {}

  /** A new turn for a job about to be added; it takes its place in line with enter(). */
  async turn(key: string, name: string, jobId: string, dueAt: number): Promise<Turn> {
    const seq = await this.redis.incr(`${this.prefix}:_serialization:seq`);
    return { key, member: `${String(seq).padStart(16, "0")}|${name}|${jobId}`, dueAt };
  }

  async enter(turn: Turn): Promise<void> {
    await this.redis.zadd(this.lineKey(turn.key), turn.dueAt, turn.member);
  }

  /** Takes the key for this turn, or says it is busy (undefined). The lock is renewed until release. */
  async take(turn: Turn): Promise<KeyHold | undefined> {
    const token = randomUUID();
    if (!(await this.walk(turn, token, "take"))) return undefined;
    return new KeyHold(this.redis, this.lockKey(turn.key), this.lineKey(turn.key), `${this.prefix}:`, token, turn, this.lockMs, this.logger);
  }

  /** Whether take() would succeed now (for a job that just stepped aside). */
  isFree(turn: Turn): Promise<boolean> {
    return this.walk(turn, "", "check");
  }

  private async walk(turn: Turn, token: string, mode: "take" | "check"): Promise<boolean> {
    const args = [token, this.lockMs, turn.dueAt, turn.member, `${this.prefix}:`, mode];
    return (await this.redis.eval(TAKE, 2, this.lockKey(turn.key), this.lineKey(turn.key), ...args)) === 1;
  }

  private lockKey(key: string): string {
    return `${this.prefix}:_serialization:lock:${key}`;
  }

  private lineKey(key: string): string {
    return `${this.prefix}:_serialization:line:${key}`;
  }
}

/** A key held by one attempt of one job. */
export class KeyHold {
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly lockKey: string,
    private readonly lineKey: string,
    private readonly jobKeyPrefix: string,
    private readonly token: string,
    private readonly turn: Turn,
    lockMs: number,
    logger: QueueLogger,
  ) {
    this.renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, token, lockMs).then(
        (renewed) => {
          if (renewed === 2) logger.warn({ key: turn.key }, `serialization key "${turn.key}" vanished from Redis while held (flushed?); taken back`);
          if (renewed === 0) logger.error({ key: turn.key }, `serialization key "${turn.key}" was taken by another job while this one ran (its lock expired)`);
        },
        (err: Error) => logger.warn({ err, key: turn.key }, `could not renew serialization key "${turn.key}": ${err.message}`),
      );
    }, Math.max(1, Math.floor(lockMs / 3)));
    this.renewal.unref();
  }

  /**
   * Lets the key go. `finished`: the job will not run again, so its turn leaves the line.
   * Resolves the job to wake next, if any is due.
   */
  async release(finished: boolean): Promise<NextTurn | undefined> {
    clearInterval(this.renewal);
    const args = [this.token, finished ? this.turn.member : "", Date.now(), this.jobKeyPrefix];
    const next = (await this.redis.eval(RELEASE, 2, this.lockKey, this.lineKey, ...args)) as string | null;
    if (!next) return undefined;
    const [, name = "", ...rest] = next.split("|");
    return { name, jobId: rest.join("|") };
  }
}

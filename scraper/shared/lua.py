"""The Redis scripts of a shared crawl: each step that must be atomic across workers.

Keys and values are described in ``scraper/shared/crawl.py``.
"""

# ARGV[1]: "<prefix>:<site>:crawl:". Times come from the server (TIME), so workers on
# machines with different clocks agree on who is idle since when.
LUA_NOW = """
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

LUA_JOIN = (
    LUA_NOW
    + """
local base, token, worker, ttl, fingerprint = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local current = redis.call('GET', base .. 'run')
if current then token = current end
local run = base .. token .. ':'
local agreed = redis.call('GET', run .. 'profile')
if agreed and agreed ~= fingerprint then return {token, agreed} end
redis.call('SET', base .. 'run', token, 'EX', ttl)
redis.call('SET', run .. 'profile', fingerprint, 'EX', ttl)
local now = server_now()
redis.call('HSET', run .. 'workers', worker, cjson.encode({busy = 1, since = now, beat = now}))
redis.call('EXPIRE', run .. 'workers', ttl)
return {token, fingerprint}
"""
)

LUA_BEAT = (
    LUA_NOW
    + """
local base, token, worker, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local run = base .. token .. ':'
local current = redis.call('GET', base .. 'run')
if not current then
  redis.call('SET', base .. 'run', token, 'EX', ttl)
elseif current == token then
  redis.call('EXPIRE', base .. 'run', ttl)
end
local now = server_now()
local stored = redis.call('HGET', run .. 'workers', worker)
local state = {busy = 1, since = now}
if stored then state = cjson.decode(stored) end
state.beat = now
redis.call('HSET', run .. 'workers', worker, cjson.encode(state))
for i = 5, #ARGV do redis.call('EXPIRE', run .. ARGV[i], ttl) end
return redis.call('ZCARD', run .. 'requests')
"""
)

LUA_IDLE = (
    LUA_NOW
    + """
local base, token, worker = ARGV[1], ARGV[2], ARGV[3]
local idle_close, timeout = tonumber(ARGV[4]), tonumber(ARGV[5])
local run = base .. token .. ':'
local workers = run .. 'workers'
local now = server_now()
local stored = redis.call('HGET', workers, worker)
local state = {}
if stored then state = cjson.decode(stored) end
if state.busy ~= 0 or not state.since then
  state.busy = 0
  state.since = now
end
state.beat = now
redis.call('HSET', workers, worker, cjson.encode(state))
if redis.call('ZCARD', run .. 'requests') > 0 then return 'work' end
local latest = 0
local all = redis.call('HGETALL', workers)
for i = 1, #all, 2 do
  local other = cjson.decode(all[i + 1])
  if now - other.beat > timeout then
    redis.call('HDEL', workers, all[i])  -- silent too long: gone
  elseif other.busy == 1 then
    return 'busy'
  elseif other.since > latest then
    latest = other.since
  end
end
if now - latest >= idle_close then return 'done' end
return 'idle'
"""
)

LUA_POP = (
    LUA_NOW
    + """
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored then
  local state = cjson.decode(stored)
  if state.busy ~= 1 then
    state.busy = 1
    state.since = server_now()
    redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(state))
  end
end
return first[1]
"""
)

LUA_LEAVE = (
    LUA_NOW
    + """
local base, token, worker, timeout = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local run = base .. token .. ':'
local workers = run .. 'workers'
redis.call('HDEL', workers, worker)
local now = server_now()
local all = redis.call('HGETALL', workers)
for i = 1, #all, 2 do
  if now - cjson.decode(all[i + 1]).beat <= timeout then return 0 end
end
for i = 5, #ARGV do redis.call('DEL', run .. ARGV[i]) end
if redis.call('GET', base .. 'run') == token then redis.call('DEL', base .. 'run') end
return 1
"""
)

# One article of the run's --max-articles (ARGV[1]): 1 taken, 0 none left.
LUA_TAKE_BUDGET = """
if redis.call('INCR', KEYS[1]) > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
"""
# An article that failed gives its place back (never below zero: a run's keys may have been
# cleared under a slow worker).
LUA_RETURN_BUDGET = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""

# Per (article id, url, may claim): 0 the URL was already seen for the article this run;
# 1 a new URL of an article claimed before; 2 first sighting of an article too old to claim
# (--since; not remembered, like the single-process spider); 3 claimed now, by this worker.
LUA_CLAIM = """
local out = {}
for i = 1, #ARGV, 3 do
  local id, url = ARGV[i], ARGV[i + 1]
  local stored = redis.call('HGET', KEYS[1], id)
  if stored then
    local urls = cjson.decode(stored)
    local known = 0
    for _, seen in ipairs(urls) do
      if seen == url then known = 1 break end
    end
    if known == 1 then
      out[#out + 1] = 0
    else
      urls[#urls + 1] = url
      redis.call('HSET', KEYS[1], id, cjson.encode(urls))
      out[#out + 1] = 1
    end
  elseif ARGV[i + 2] == '1' then
    redis.call('HSET', KEYS[1], id, cjson.encode({url}))
    out[#out + 1] = 3
  else
    out[#out + 1] = 2
  end
end
return out
"""

LUA_ARTICLE_URLS = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local urls = {}
if stored then urls = cjson.decode(stored) end
local changed = false
for i = 2, #ARGV do
  local known = false
  for _, seen in ipairs(urls) do
    if seen == ARGV[i] then known = true break end
  end
  if not known then
    urls[#urls + 1] = ARGV[i]
    changed = true
  end
end
local encoded = cjson.encode(urls)
if changed then redis.call('HSET', KEYS[1], ARGV[1], encoded) end
return encoded
"""

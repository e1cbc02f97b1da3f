"""The Redis index's Lua scripts, one per operation that reads before it writes: a script
runs atomically on the server, in one round trip, so workers writing at once can never both
make the same version number or both win a payload's first capture. ``archive.index.redis_backend``
runs them, and lists the keys they use.
"""

# ARGV[1] is always the key prefix ("newsarchive:<site>:index:"). Numbers travel as decimal
# strings; cjson prints numbers with 14 significant digits, plenty for seconds and offsets.

_COMMON = """
local P = ARGV[1]
local function akey(id) return P .. 'article:' .. id end
-- create the article (next seq, first = last = now) or move its last sighting forward
local function touch(id, now, extra)
  local k = akey(id)
  local last = redis.call('HGET', k, 'last')
  if not last then
    local seq = redis.call('INCR', P .. 'seq')
    redis.call('HSET', k, 'seq', seq, 'first', now, 'last', now)
    redis.call('ZADD', P .. 'articles', 0, id)
    return k, true
  end
  if now > tonumber(last) then redis.call('HSET', k, 'last', now) end
  return k, false
end
"""

ADD_SIGHTING = (
    _COMMON
    + """
local id, url, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local k = touch(id, now)
local field = 'u:' .. url
local owner = redis.call('HGET', P .. 'urls', url)
if owner == id then
  local seen = redis.call('HGET', k, field)
  if not seen or now > tonumber(seen) then redis.call('HSET', k, field, now) end
  return 0
end
-- the same URL now shows another article: the latest sighting wins, a URL has one article
if owner then redis.call('HDEL', akey(owner), field) end
redis.call('HSET', P .. 'urls', url, id)
redis.call('HSET', k, field, now)
return 1
"""
)

RECORD_VERSION = (
    _COMMON
    + """
local a = cjson.decode(ARGV[2])
local id, now, v = a.id, a.now, a.v
local k, created = touch(id, now)
-- a fetch is a check too (see SqliteIndex.record_version)
local checked = redis.call('HGET', k, 'checked')
if not checked or now > tonumber(checked) then redis.call('HSET', k, 'checked', now) end
if a.pub then redis.call('HSET', k, 'pub', a.pub) end
local n = tonumber(redis.call('HGET', k, 'n') or '0')
local dup = redis.call('HGET', k, 'dup')
local latest = false
if n > 0 then latest = cjson.decode(redis.call('HGET', k, 'v:' .. n)) end
if latest and latest.h == v.h then
  if now > latest.l then
    latest.l = now
    redis.call('HSET', k, 'v:' .. n, cjson.encode(latest))
  end
  local previous = false
  if n > 1 then previous = cjson.decode(redis.call('HGET', k, 'v:' .. (n - 1))).h end
  return {'unchanged', n, previous, latest.m, dup}
end
local minor = a.minor
if minor < 0 then
  minor = 0
  if latest and latest.s and v.s then
    local function bits(x)
      local c = 0
      while x ~= 0 do
        c = c + bit.band(x, 1)
        x = bit.rshift(x, 1)
      end
      return c
    end
    -- 64-bit simhashes as 16 hex digits: two exact 32-bit halves for Lua's bit library
    local d = bits(bit.bxor(tonumber(latest.s:sub(1, 8), 16), tonumber(v.s:sub(1, 8), 16)))
            + bits(bit.bxor(tonumber(latest.s:sub(9, 16), 16), tonumber(v.s:sub(9, 16), 16)))
    if d <= a.dist then minor = 1 end
  end
end
if not dup then
  -- same text as another article: recorded once as duplicate_of, never merged
  for _, other in ipairs(redis.call('ZRANGE', P .. 'text:' .. v.h, 0, 1)) do
    if other ~= id then
      dup = other
      redis.call('HSET', k, 'dup', dup)
      break
    end
  end
end
local number = n + 1
v.f = now
v.l = now
v.m = minor
redis.call('HSET', k, 'v:' .. number, cjson.encode(v), 'n', number)
redis.call('ZADD', P .. 'text:' .. v.h, 'NX', redis.call('HGET', k, 'seq'), id)
redis.call('INCR', P .. 'nversions')
local status = 'changed'
if n == 0 then status = 'new' end
local previous = false
if latest then previous = latest.h end
return {status, number, previous, minor, dup}
"""
)

RECORD_CHECK = (
    _COMMON
    + """
local a = cjson.decode(ARGV[2])
local k = touch(a.id, a.now)
redis.call('HSET', k, 'checked', a.now)
for _, name in ipairs({'etag', 'lm'}) do
  if a[name] then
    redis.call('HSET', k, name, a[name])
  elseif a.nm == 0 then
    redis.call('HDEL', k, name)  -- a 200 without the validator: the old one is stale
  end
end
return 1
"""
)

LATEST_VERSION = (
    _COMMON
    + """
local k = akey(ARGV[2])
local n = tonumber(redis.call('HGET', k, 'n') or '0')
if n == 0 then return false end
local previous = false
if n > 1 then previous = redis.call('HGET', k, 'v:' .. (n - 1)) end
return {n, redis.call('HGET', k, 'v:' .. n), previous}
"""
)

FIRST_CAPTURE = (
    _COMMON
    + """
local found = redis.call('HGET', P .. 'payloads', ARGV[2])
if found then return {1, found} end
if ARGV[5] == '1' then
  local claim = P .. 'payload-claim:' .. ARGV[2]
  if redis.call('SET', claim, ARGV[3], 'NX', 'PX', ARGV[4]) then return {0} end
  if redis.call('GET', claim) == ARGV[3] then return {0} end
  return {2}  -- another writer is capturing these bytes right now
end
return {0}
"""
)

RECORD_PAYLOAD = (
    _COMMON
    + """
local added = redis.call('HSETNX', P .. 'payloads', ARGV[2], ARGV[3])
local claim = P .. 'payload-claim:' .. ARGV[2]
if redis.call('GET', claim) == ARGV[4] then redis.call('DEL', claim) end
return added
"""
)

FORGET_URL = (
    _COMMON
    + """
local owner = redis.call('HGET', P .. 'urls', ARGV[2])
if not owner then return 0 end
redis.call('HDEL', P .. 'urls', ARGV[2])
redis.call('HDEL', akey(owner), 'u:' .. ARGV[2])
return 1
"""
)

FORGET_ID = (
    _COMMON
    + """
local id = ARGV[2]
local k = akey(id)
local fields = redis.call('HGETALL', k)
if #fields == 0 then return {0, 0, 0} end
local versions, urls = 0, 0
for i = 1, #fields, 2 do
  local f = fields[i]
  local kind = f:sub(1, 2)
  if kind == 'u:' then
    urls = urls + 1
    local url = f:sub(3)
    if redis.call('HGET', P .. 'urls', url) == id then redis.call('HDEL', P .. 'urls', url) end
  elseif kind == 'v:' then
    versions = versions + 1
    redis.call('ZREM', P .. 'text:' .. cjson.decode(fields[i + 1]).h, id)
  end
end
redis.call('DEL', k)
redis.call('ZREM', P .. 'articles', id)
if versions > 0 then redis.call('DECRBY', P .. 'nversions', versions) end
return {1, versions, urls}
"""
)

EXPIRE_URLS = (
    _COMMON
    + """
local cutoff = tonumber(ARGV[2])
local removed = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local k = akey(id)
  local fields = redis.call('HGETALL', k)
  for j = 1, #fields, 2 do
    local f = fields[j]
    if f:sub(1, 2) == 'u:' and tonumber(fields[j + 1]) < cutoff then
      redis.call('HDEL', k, f)
      removed = removed + 1
      local url = f:sub(3)
      if redis.call('HGET', P .. 'urls', url) == id then redis.call('HDEL', P .. 'urls', url) end
    end
  end
end
return removed
"""
)

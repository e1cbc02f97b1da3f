"""The Redis index's Lua scripts, one per operation that reads before it writes: a script
runs atomically on the server, in one round trip, so workers writing at once can never both
make the same version number or both win a payload's first capture. Which version a text
makes is not decided here but by ``archive.index.versioning`` (the function SQLite calls
too): ``VERSION_STATE`` reads what it needs, ``STORE_VERSION`` stores its verdict only if
that state still holds. ``archive.index.redis_backend`` runs them, and lists the keys they use.
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

# -- versions: decided in Python (archive.index.versioning), stored here -------------------------

_TEXT = """
-- the earliest other article having a version with this text (for duplicate_of)
local function same_text_elsewhere(h, id)
  for _, other in ipairs(redis.call('ZRANGE', P .. 'text:' .. h, 0, 1)) do
    if other ~= id then return other end
  end
  return false
end
"""

# What decide_version needs: {n, JSON of version n, hash of version n-1, dup, same text
# elsewhere (only looked up while the article has no dup)}.
VERSION_STATE = (
    _COMMON
    + _TEXT
    + """
local id = ARGV[2]
local k = akey(id)
local found = redis.call('HMGET', k, 'n', 'dup')
local n = tonumber(found[1] or '0')
local latest, previous, elsewhere = false, false, false
if n > 0 then latest = redis.call('HGET', k, 'v:' .. n) end
if n > 1 then previous = cjson.decode(redis.call('HGET', k, 'v:' .. (n - 1))).h end
if not found[2] then elsewhere = same_text_elsewhere(ARGV[3], id) end
return {n, latest, previous, found[2], elsewhere}
"""
)

# Stores a decision made on VERSION_STATE's answer, only if that answer still holds (a
# check-and-set: another worker may have stored a version of the same article, or the same
# text elsewhere, in between); returns 0, writing nothing, when it does not, and the caller
# reads and decides again. So two workers can never both make version n+1.
STORE_VERSION = (
    _COMMON
    + _TEXT
    + """
local a = cjson.decode(ARGV[2])
local id, now, v = a.id, a.now, a.v
local k = akey(id)
local found = redis.call('HMGET', k, 'n', 'dup')
local n = tonumber(found[1] or '0')
if n ~= a.n or (found[2] or '') ~= (a.dup or '') then return 0 end
if n > 0 and cjson.decode(redis.call('HGET', k, 'v:' .. n)).h ~= a.h then return 0 end
if v and not found[2] and (same_text_elsewhere(v.h, id) or '') ~= (a.other or '') then
  return 0
end
touch(id, now)
-- a fetch is a check too (see SqliteIndex.record_version)
local checked = redis.call('HGET', k, 'checked')
if not checked or now > tonumber(checked) then redis.call('HSET', k, 'checked', now) end
if a.pub then redis.call('HSET', k, 'pub', a.pub) end
if not v then  -- unchanged: only the latest version's last sighting moves
  local latest = cjson.decode(redis.call('HGET', k, 'v:' .. n))
  if now > latest.l then
    latest.l = now
    redis.call('HSET', k, 'v:' .. n, cjson.encode(latest))
  end
  return 1
end
if a.setdup then redis.call('HSET', k, 'dup', a.setdup) end
v.f = now
v.l = now
redis.call('HSET', k, 'v:' .. (n + 1), cjson.encode(v), 'n', n + 1)
redis.call('ZADD', P .. 'text:' .. v.h, 'NX', redis.call('HGET', k, 'seq'), id)
redis.call('INCR', P .. 'nversions')
return 1
"""
)

# A version whose record could not be written (SqliteIndex's take-back): removed if it is
# still the latest, with the article's last check and validators (a stored ETag would turn
# the refetch into a 304).
TAKE_BACK = (
    _COMMON
    + """
local id, h = ARGV[2], ARGV[3]
local k = akey(id)
local n = tonumber(redis.call('HGET', k, 'n') or '0')
if n == 0 or cjson.decode(redis.call('HGET', k, 'v:' .. n)).h ~= h then return 0 end
redis.call('HDEL', k, 'v:' .. n, 'checked', 'etag', 'lm')
redis.call('HSET', k, 'n', n - 1)
local kept = false  -- an older version with the same text (a reverted text) keeps it
for i = 1, n - 1 do
  if cjson.decode(redis.call('HGET', k, 'v:' .. i)).h == h then kept = true end
end
if not kept then redis.call('ZREM', P .. 'text:' .. h, id) end
redis.call('DECR', P .. 'nversions')
return 1
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

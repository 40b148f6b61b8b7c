-- wrk script: complete NPS dialogues through the widget's API, one visitor after another.
-- Run with as many threads as connections (-t N -c N): each thread then drives one
-- connection, so its state below is that connection's dialogue. Four turns a dialogue:
-- start "nps" (the score question), tap 9, type the "why", decline the follow-up.
-- Any answer other than 200 counts in `failed` and restarts with a new visitor.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  run = tostring(os.time()) .. tostring(math.random(100000, 999999))
  n, step, failed, dialogues = 0, 0, 0, 0
  headers = {["Content-Type"] = "application/json"}
end

local function post(path, fields)
  return wrk.format("POST", "/api/widget/v1" .. path, headers,
    '{"visitor":"' .. visitor .. '","client_message_id":"' .. step .. '",' .. fields .. '}')
end

function request()
  if step == 0 then
    n = n + 1
    visitor = string.format("bench-%s-%d-%d", run, tid, n)
    return post("/conversations", '"survey":"nps","language":"en"')
  end
  local path = "/conversations/" .. conversation .. "/messages"
  if step == 1 then
    return post(path, '"choice_id":"9","ref":"' .. conversation .. ':score"')
  elseif step == 2 then
    return post(path, '"text":"Friendly staff and quick answers"')
  end
  return post(path, '"choice_id":"consent:no","ref":"consent"')
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    step = 0
    return
  end
  if step == 0 then
    conversation = body:match('"conversation":%s*"(%x+)"')
  end
  step = (step + 1) % 4
  if step == 0 then dialogues = dialogues + 1 end
end

function done(summary, latency, requests)
  local failures, completed = 0, 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
    completed = completed + thread:get("dialogues")
  end
  io.write(string.format("widget: %d dialogues completed, %d failed turns\n",
                         completed, failures))
end

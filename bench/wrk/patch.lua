-- PATCH /api/tasks/<id> (the path given to wrk): a real change each request, its priority
-- alternating between two values, so that every request writes a new version.
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local priorities = { '{"priority":"low"}', '{"priority":"urgent"}' }

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, priorities[counter % 2 + 1])
end

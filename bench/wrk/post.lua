-- POST /api/tasks: a new task each request, with a title of its own. No tags: bench/run.py deletes
-- these tasks by title after the cell (see forget_created), and a tag row would outlive its task
-- where SQLite does not enforce the cascade.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format(nil, "/api/tasks", nil, '{"title":"bench ' .. counter .. '","priority":"high"}')
end

-- wrk: requests of logged-in users. BENCH_SESSIONS names a file of lines
-- "token csrf" (one per user); each request takes the next user, a fresh
-- client address (the stack trusts loopback as a proxy, so rate limits
-- count per address) and BENCH_METHOD / BENCH_BODY.
local sessions = {}
local next_one = 1
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")

function init(args)
	for line in io.lines(os.getenv("BENCH_SESSIONS")) do
		local token, csrf = line:match("^(%S+) (%S+)$")
		if token then
			sessions[#sessions + 1] = { token, csrf }
		end
	end
	next_one = math.random(1, #sessions)
end

request = function()
	local s = sessions[next_one]
	next_one = next_one % #sessions + 1
	local ip = string.format("10.%d.%d.%d", math.random(0, 255),
	    math.random(0, 255), math.random(1, 254))
	local headers = {
		["X-Forwarded-For"] = ip,
		["Cookie"] = "drop_token=" .. s[1] .. "; drop_csrf=" .. s[2],
		["X-CSRF-Token"] = s[2],
	}
	if body then
		headers["Content-Type"] = "application/json"
	end
	return wrk.format(method, nil, headers, body)
end

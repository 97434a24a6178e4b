-- wrk: logins of the cost-12 bench user, each from a fresh client address.
local body = '{"email":"bench2000@drop.example","password":"BenchPass123"}'

request = function()
	local ip = string.format("10.%d.%d.%d", math.random(0, 255),
	    math.random(0, 255), math.random(1, 254))
	return wrk.format("POST", nil, { ["X-Forwarded-For"] = ip,
	    ["Content-Type"] = "application/json" }, body)
end

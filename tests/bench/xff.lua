-- wrk: a different client address per request (the stack trusts loopback
-- as a proxy), so per-IP rate limits measure the path, not the 429.
request = function()
	local ip = string.format("10.%d.%d.%d", math.random(0, 255),
	    math.random(0, 255), math.random(1, 254))
	return wrk.format(nil, nil, { ["X-Forwarded-For"] = ip })
end

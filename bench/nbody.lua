-- nbody: the Computer Language Benchmarks Game's n-body simulation of the
-- Jovian planets. Each body is a table with fields x y z vx vy vz mass (the
-- Thr version's maps); the inner loop is float arithmetic on table fields
-- and one math.sqrt.
local n = tonumber(arg[1]) or 200000

local sqrt = math.sqrt
local SOLAR_MASS = 4 * math.pi * math.pi
local DAYS_PER_YEAR = 365.24

local function body(x, y, z, vx, vy, vz, mass)
    return {
        x = x, y = y, z = z,
        vx = vx * DAYS_PER_YEAR, vy = vy * DAYS_PER_YEAR, vz = vz * DAYS_PER_YEAR,
        mass = mass * SOLAR_MASS,
    }
end

local function system()
    return {
        body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
        body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),
        body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),
        body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),
        body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),
    }
end

-- Gives the sun the momentum that makes the system's total zero.
local function offset_momentum(bodies)
    local px, py, pz = 0.0, 0.0, 0.0
    for _, b in ipairs(bodies) do
        px = px + b.vx * b.mass
        py = py + b.vy * b.mass
        pz = pz + b.vz * b.mass
    end
    local sun = bodies[1]
    sun.vx = -px / SOLAR_MASS
    sun.vy = -py / SOLAR_MASS
    sun.vz = -pz / SOLAR_MASS
end

local function energy(bodies)
    local e = 0.0
    local count = #bodies
    for i = 1, count do
        local b = bodies[i]
        e = e + 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
        for j = i + 1, count do
            local c = bodies[j]
            local dx = b.x - c.x
            local dy = b.y - c.y
            local dz = b.z - c.z
            e = e - b.mass * c.mass / sqrt(dx * dx + dy * dy + dz * dz)
        end
    end
    return e
end

local function advance(bodies, dt, steps)
    local count = #bodies
    for _ = 1, steps do
        for i = 1, count do
            local b = bodies[i]
            for j = i + 1, count do
                local c = bodies[j]
                local dx = b.x - c.x
                local dy = b.y - c.y
                local dz = b.z - c.z
                local d2 = dx * dx + dy * dy + dz * dz
                local mag = dt / (d2 * sqrt(d2))
                local bm = b.mass * mag
                local cm = c.mass * mag
                b.vx = b.vx - dx * cm
                b.vy = b.vy - dy * cm
                b.vz = b.vz - dz * cm
                c.vx = c.vx + dx * bm
                c.vy = c.vy + dy * bm
                c.vz = c.vz + dz * bm
            end
        end
        for _, b in ipairs(bodies) do
            b.x = b.x + dt * b.vx
            b.y = b.y + dt * b.vy
            b.z = b.z + dt * b.vz
        end
    end
end

local bodies = system()
offset_momentum(bodies)
print(string.format("%.9f", energy(bodies)))
advance(bodies, 0.01, n)
print(string.format("%.9f", energy(bodies)))

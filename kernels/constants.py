"""Physical constants and unit factors used by every kernel (SI units)."""

import math

K_B = 1.380649e-23  # J/K, Boltzmann constant (exact, SI 2019)
LN2 = math.log(2.0)  # nats per bit
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
JOULES_PER_KWH = 3.6e6
JOULES_PER_MWH = 3.6e9

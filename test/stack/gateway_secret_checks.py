"""
The installed ContextForge gateway's own checks of its Secret's values, run on values read from standard input.

Input: a JSON list of objects, each mapping some of the gateway's settings (jwt_secret_key, auth_encryption_secret,
basic_auth_password, platform_admin_password) to a value. Output: a JSON list, one object per input object, mapping
each setting given to what the gateway said about its value (an empty list when it said nothing).

Every setting is judged on its own: it replaces one value of a set the gateway accepts silently, and the gateway's
checks run on the result: the field validators (they log warnings), the settings' model validator (it raises, and
refuses to start, on a weak signing key) and the `validate_env` script's report. ENVIRONMENT is production, where
the gateway is strictest. Nothing here re-implements a rule: each check is the gateway's function, called as the
settings class calls it.
"""

import json
import logging
import sys
import types

from pydantic import SecretStr

from mcpgateway.config import SecurityConfigurationError, Settings
from mcpgateway.scripts.validate_env import get_security_warnings

# A set the gateway accepts without a word (asserted below before any value is judged).
QUIET = {
    "jwt_secret_key": "Zq8wLm3Kx7Rt2Vn9Pb4Hs6Jd1Fg5Cy0Te8Ua3Wo7Ri2Qe6Yn4Mk9Xl1Sv5Bp0Dh",
    "auth_encryption_secret": "Hd4Sv9Mk2Wo6Yn1Qe5Ri0Ua7Te3Cy8Fg2Jd6Hs1Pb5Vn9Rt4Kx8Lm3Zq7Xl0Bp",
    "basic_auth_password": "Rv7-Lq2_Wn9-Kx4_Tb6-Hm1_Zs8-Pd3_",
    "platform_admin_password": "Gy5_Nc8-Fj2_Vu6-Qa9_Ek3-Ow7_Il4-",
}
FIELD_WORDS = {
    "jwt_secret_key": ["JWT_SECRET_KEY", "jwt_secret_key"],
    "auth_encryption_secret": ["AUTH_ENCRYPTION_SECRET", "auth_encryption_secret"],
    "basic_auth_password": ["BASIC_AUTH_PASSWORD"],
    "platform_admin_password": ["admin password", "Admin password"],
}


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def judge(base, field, value, log):
    """What the gateway says about `value` as `field`, the other settings quiet."""
    log.messages.clear()
    said = []
    info = types.SimpleNamespace(data={"client_mode": False}, field_name=field)
    if field in ("jwt_secret_key", "auth_encryption_secret"):
        Settings.validate_secrets(value, info)
    if field == "basic_auth_password":
        Settings.validate_admin_password(value, info)
    candidate = base.model_copy(update={field: SecretStr(value)})
    try:
        Settings.validate_security_combinations(candidate)
    except SecurityConfigurationError as error:
        said.append(str(error).split("\n")[0])
    said.extend(log.messages)
    # validate_env reports on every setting at once; keep what it says about this one.
    said.extend(w for w in get_security_warnings(candidate) if any(word in w for word in FIELD_WORDS[field]))
    return said


def main():
    log = Collect()
    logging.getLogger("mcpgateway.config").addHandler(log)
    logging.getLogger("mcpgateway.config").setLevel(logging.INFO)
    base = Settings(_env_file=None, environment="production", **QUIET)
    for field, value in QUIET.items():
        said = judge(base, field, value, log)
        if said:
            sys.exit(f"the quiet set is not quiet: {field}: {said}")
    sets = json.load(sys.stdin)
    out = [{field: judge(base, field, value, log) for field, value in each.items()} for each in sets]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

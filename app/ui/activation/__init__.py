"""系统认证 and everything that activates or certifies a licence on this computer."""

# SPDX-License-Identifier: BSD-2-Clause
"""labgrid test: boot the zonedev Image on the environment's target and read its KTAP report.

Passes when every KTAP test passed or was skipped and the status is 0, as a farm's labgrid run
would judge a board. With ZONEDEV_LABGRID_OUT set, also writes what it read there (JSON: the
status and every KTAP result line in order) for tests/boot/labgrid/run to compare with
ci/qemu-run --json.
"""
import json
import os
import re

from labgrid.util.qmp import QMPError

RESULT = re.compile(r'^[ \t]*(not ok|ok) \d+(?: -)? ([^#\r\n]*?)[ \t]*(?:#[ \t]*(\S*)[^\r\n]*)?\r*$')
STATUS = re.compile(r'zonedev-result: (\{.*\})')
COUNT = r'\d+ passed, \d+ failed, \d+ skipped'


def power_off(qemu):
    """QEMUDriver.off() quits QEMU through QMP; on riscv64 QEMU is gone already, or going: the
    guest's sifive,test finisher ends QEMU 7.2 even with -no-shutdown, and off() then fails."""
    try:
        qemu.off()
    except (OSError, QMPError):     # a broken pipe, no answer, or QEMU's exit code not 0
        qemu.status = 0


def test_ktap_status_0(target):
    qemu = target.get_driver('QEMUDriver')
    console = target.get_driver('ConsoleProtocol')
    qemu.on()
    try:
        console.expect('KTAP version 1', timeout=60)
        # the count line ends every run, panics included
        _, before, _, _ = console.expect(COUNT, timeout=120)
        text = before.decode('utf-8', errors='replace')
    finally:
        power_off(qemu)
    lines = text.replace('\r', '').split('\n')
    cases = []
    for line in lines:
        m = RESULT.match(line)
        if m:
            result = 'fail' if m.group(1) == 'not ok' else (
                'skip' if (m.group(3) or '').upper() == 'SKIP' else 'pass')
            cases.append((m.group(2), result))
    status = [json.loads(m.group(1))['status'] for m in map(STATUS.search, lines) if m]
    out = os.environ.get('ZONEDEV_LABGRID_OUT')
    if out:
        with open(out, 'w') as f:
            json.dump({'status': status[-1] if status else None, 'cases': cases}, f)
    assert status, 'no zonedev-result line'
    failed = [name for name, result in cases if result == 'fail']
    assert not failed, 'KTAP tests failed: %s' % ', '.join(failed)
    assert status[-1] == 0, 'zonedev status %d' % status[-1]

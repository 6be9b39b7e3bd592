# examples/prometheus/: the alert rules a user loads as they are pass
# promtool check rules, and promtool test rules shows each alert firing
# and not firing (mta-sts-alerts.test.yml).  promtool is Debian's
# prometheus package (util/deps.sh test).

use strict;
use warnings;

use Test::More;

my $out = `cd examples/prometheus && promtool check rules mta-sts-alerts.yml 2>&1`;
is($?, 0, "promtool check rules") or diag($out);
like($out, qr/SUCCESS: 7 rules found/, "promtool check rules - the 7 rules");

$out = `cd examples/prometheus && promtool test rules mta-sts-alerts.test.yml 2>&1`;
is($?, 0, "promtool test rules - each alert firing and not") or diag($out);

done_testing();

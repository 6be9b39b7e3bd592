# The large TLS reports (RFC 8460) that bench/tlsrpt.sh and
# bench/tlsrpt-worst.sh post, real in shape: a report whose one policy
# has failure-details rows as Google's reports have them, up to a size.
# Core Perl only (IO::Compress::Gzip).
#
#   perl -I"$top/bench" -MTlsrptReport=gz,large,put -e '...'

package TlsrptReport;

use strict;
use warnings;

use Exporter qw(import);
use IO::Compress::Gzip qw(gzip $GzipError);

our @EXPORT_OK = qw(gz large put);

# gzip as senders send it: the best compression, no name or time
sub gz {
    my ($in) = @_;
    my $out;
    gzip(\$in => \$out, -Level => 9, Minimal => 1) or die "$GzipError\n";
    return $out;
}

# HEAD (the report up to and with "failure-details":[), then rows while
# the whole stays within SIZE bytes of JSON, then a last row and the
# closing brackets; EXACT pads with white space to exactly SIZE bytes
sub large {
    my ($head, $size, $exact) = @_;
    my $tail = q({"result-type":"starttls-not-supported"}]}]});
    my ($j, $i) = ($head, 0);

    while (1) {
        my $row = sprintf(q({"result-type":"certificate-expired",)
            . q("sending-mta-ip":"198.51.%d.%d",)
            . q("receiving-mx-hostname":"mx%d.example.com",)
            . q("receiving-ip":"192.0.2.%d","failed-session-count":%d},),
            $i / 256 % 256, $i % 256, $i % 7, $i % 250, $i);
        last if length($j) + length($row) + length($tail) > $size;
        $j .= $row;
        $i++;
    }

    $j .= " " x ($size - length($j) - length($tail)) if $exact;

    return $j . $tail;
}

sub put {
    my ($file, $data) = @_;
    open my $h, ">", $file or die "$file: $!\n";
    binmode $h;
    print $h $data;
    close $h or die "$file: $!\n";
}

1;

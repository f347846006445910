; example.com, the main test zone
$ORIGIN example.com.
$TTL 3600
@ 7200 IN SOA ns1 hostmaster (
      2024010101 ; serial
      7200 3600 1209600
      300 )      ; minimum
@        IN NS    ns1
         IN NS    ns2.example.net.
ns1      IN A     192.0.2.53
www   60 IN A     192.0.2.1
www   60 IN A     192.0.2.2
www      IN AAAA  2001:db8::1
alias    IN CNAME www
alias2   IN CNAME alias
ext      IN CNAME www.example.org.
todeep   IN CNAME host.deep.example.com.
dangling IN CNAME nothere
loop1    IN CNAME loop2
loop2    IN CNAME loop1
a.b.c    IN A     192.0.2.3
sub      IN NS    ns.sub
sub      IN NS    ns.elsewhere.org.
ns.sub   IN A     192.0.2.100
ns.sub   IN AAAA  2001:db8::100
*.wild   IN A     192.0.2.77
*.wild   IN TXT   "wild"
*.cwild  IN CNAME www

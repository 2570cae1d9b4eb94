#!/usr/bin/env bash
# The official PDF and a digital signature on the running demo: a version's
# PDF downloads twice as the same bytes, renders to PNG (pdftoppm) and reads
# (pdftotext) with the national heading, the number, the date line and a
# figure in Vietnamese notation; its canonical bytes signed with `openssl cms`
# and the demo's test PKI are accepted, and the same signature over changed
# bytes is refused.
# Usage: .ci/signatures.sh BASE_URL DEMO_PKI_DIR PASSWORD
set -euo pipefail
base="$1"; pki="$2"; password="$3"
out="$(mktemp -d)"

session() { # user -> cookie jar in $out/$1, CSRF token on stdout
  local answer
  answer="$(curl -fsS -c "$out/$1" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/session")"
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$answer"
}

session vinh.tonghop > /dev/null
csrf="$(session xa.chutich)"
# An accepted report of the ward whose head signs (Phường Đông Vĩnh).
inbox="$(curl -fsS -b "$out/vinh.tonghop" "$base/api/v1/reports/inbox?status=accepted&regime=BC-KTXH-T")"
id="$(python3 -c '
import json, sys
rows = [r for r in json.loads(sys.argv[1]) if r["unit_name"] == "Phường Đông Vĩnh"]
print(rows[0]["id"])' "$inbox")"

curl -fsS -b "$out/xa.chutich" -o "$out/a.pdf" "$base/api/v1/reports/$id/versions/1/pdf"
curl -fsS -b "$out/xa.chutich" -o "$out/b.pdf" "$base/reports/$id/versions/1/official.pdf"
cmp "$out/a.pdf" "$out/b.pdf"
pdftoppm -r 60 -png -f 1 -l 1 "$out/a.pdf" "$out/page"
test -s "$out/page-1.png"
text="$(pdftotext -layout "$out/a.pdf" -)"
grep -q 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM' <<< "$text"
grep -q 'Độc lập - Tự do - Hạnh phúc' <<< "$text"
grep -Eq "Số: $id/BC-UBND" <<< "$text"
grep -Eq 'Đông Vĩnh, ngày [0-9]{2} tháng [0-9]{1,2} năm 20[0-9]{2}' <<< "$text"
grep -Eq '[0-9]{1,3}(\.[0-9]{3})+,[0-9]+|[0-9]+,[0-9]+' <<< "$text"
mkdir -p "${BAOCAO_SCREENSHOTS:-target/screenshots}"
cp "$out/page-1.png" "${BAOCAO_SCREENSHOTS:-target/screenshots}/official-pdf-page-1.png"

curl -fsS -b "$out/xa.chutich" -o "$out/canonical.json" "$base/api/v1/reports/$id/versions/1/canonical"
openssl cms -sign -binary -md sha256 -in "$out/canonical.json" -signer "$pki/signer.crt" \
  -inkey "$pki/signer.key" -outform DER -out "$out/good.p7s"
printf ' ' >> "$out/canonical.json"
openssl cms -sign -binary -md sha256 -in "$out/canonical.json" -signer "$pki/signer.crt" \
  -inkey "$pki/signer.key" -outform DER -out "$out/other.p7s"
status="$(curl -sS -b "$out/xa.chutich" -H "x-csrf-token: $csrf" -o "$out/refused.json" -w '%{http_code}' \
  --data-binary @"$out/other.p7s" "$base/api/v1/reports/$id/versions/1/signatures")"
test "$status" = 422
grep -q 'nội dung đã bị thay đổi sau khi ký' "$out/refused.json"
status="$(curl -sS -b "$out/xa.chutich" -H "x-csrf-token: $csrf" -o "$out/signed.json" -w '%{http_code}' \
  --data-binary @"$out/good.p7s" "$base/api/v1/reports/$id/versions/1/signatures")"
test "$status" = 201
grep -q '"verdict":"valid"' "$out/signed.json"
grep -q 'Lãnh đạo đơn vị (thử nghiệm)' "$out/signed.json"
echo "official PDF and signature: ok (report $id)"

/**
 * functions/domain/detection/README.md is rendered from KINDS, so the documented list is the
 * engine's list: `npm run docs:detection` rewrites it, and a test fails when it is stale.
 */
import type { KindInfo } from './model.ts';

const HEADER = `# Detection engine

The engine behind the detect worker (pushed diffs, GitHub secret-scanning alerts) and
\`leakstop scan\` (files, stdin, diffs). Plain TypeScript, no SDKs. Public surface:
[index.ts](index.ts) — \`createScanner\` (\`scanText\`, \`scanPatch\`, \`scanUnifiedDiff\`,
\`classifySecret\`), \`classifySecret\`, \`KINDS\`, \`fingerprint\`, \`redact\`, \`fileContext\`.

## How it decides

1. **Candidates in one cheap pass.** Every detector is tied to anchors (\`ghp_\`, \`xoxb-\`,
   \`AKIA\`, \`-----BEGIN \`, \`://\`…). Anchors holding \`_ = - : .\` are found by \`indexOf\` on that
   character and a table lookup on its neighbour; the rest by one literal regex; keyword
   assignments by one case-insensitive regex (\`secret|token|pass|pwd|key|auth\`). A detector's
   own regex runs only at its anchors.
2. **Formats, checksums and examples.** A match must have the issuer's documented shape,
   GitHub and npm tokens a valid CRC32/base62 checksum; published example values (AWS, Stripe,
   RFC 6749, Slack, Google, Telegram docs, the Azure storage emulator key) are ignored, and so
   are placeholder bodies (\`xxxx\`, \`<…>\`, \`\${…}\`, \`your_…\`, runs and sequences).
3. **Keyword assignments** (\`password = …\`, \`api_key: …\`, \`<password>…</password>\`,
   \`name: X / value: …\`, \`setdefault("SECRET_KEY", …)\`, \`--token …\`, \`Authorization: Bearer …\`)
   are judged by the key's words (hashes, ids, URLs, public keys are excluded), the value's
   strength (length, character classes, entropy; templates, references, identifiers, paths,
   UUIDs, versions, regexes, weak words, ARNs, algorithm names, format strings, property paths,
   escaped or non-Latin text and values typed in order such as \`abcd1234efgh5678\` rejected)
   and the file: in source code only string literals are values (literals joined on one line
   by \`+ . & .. <>\`, side by side, or in R's \`paste0(…)\` are one value); lockfiles, type declarations,
   source maps and minified files are skipped; API documentation comments and docstrings give
   low confidence, and so does a key named as a test's own (\`TEST_API_KEY\`, \`fake_token\`).
   Rows of a table of passwords and their hashes (\`("passphrase", "qiyh…"),\`) are data.
   A dotted key ending in a bare \`key\` is named by the segment before it (\`app.geocoder.api.key\`),
   and a key named after a service is an API key (\`OPENAI_KEY\`, \`SENDGRID_KEY\`); a Terraform
   \`variable "db_password" { default = "…" }\` is read under its block's name, a template's
   fallback (Helm's \`{{ .Values.db.password | default "…" }}\`, Jinja's \`default('…')\`) as the
   value it gives, each cell of a CSV or TSV column whose header names a secret as that
   assignment, a daemon's \`directive value\` line in a configuration file (slapd's \`rootpw\`,
   BIND's \`secret "…";\`, haproxy's \`insecure-password\`; an unquoted value must end the line, so
   PAM's \`password required pam_unix.so\` is not one), the password field of one-per-line
   password files (Postfix \`sasl_passwd\`, davfs2 and pppd secrets, PgBouncer's \`userlist.txt\`,
   Jetty realms, plaintext \`.htpasswd\` entries, \`ipsec.secrets\` PSKs, Dovecot's \`{PLAIN}\`,
   \`echo "user:…" | chpasswd\`, \`.curlrc\`'s \`user\`, haproxy's \`stats auth\`, squid's \`login=\`,
   Redis ACL \`>password\` rules and Sentinel's \`auth-pass\`, Ceph keyrings, nginx's fixed
   \`Authorization "Basic …"\`; hashes left out), the password argument of \`new PDO(…)\`,
   \`mysqli_connect(…)\` and \`DriverManager.getConnection(…)\`, a base64 literal decoded where it
   is used (\`base64.b64decode("…")\`, \`Data(base64Encoded: "…")\`) that holds \`user:password\`, a literal default behind an
   environment read (\`process.env.X || "…"\`, \`os.getenv("X", "…")\`), and a notebook's
   JSON-escaped source line (\`"api_key = \\"…\\"\\n",\`) as the code it holds.
   A base64 value that decodes to an issuer's token (a Kubernetes Secret's \`data:\`) is that
   token, revocable as such; in a Secret's \`data:\` that holds under any key, a connection URL
   with a password included. SQL that sets a login's password (\`CREATE USER … IDENTIFIED BY '…'\`,
   \`ALTER ROLE … PASSWORD '…'\`; stored verifiers are hashes), a HAR or Postman header list's
   \`{"name": "authorization", "value": "Bearer …"}\`, and a key qualified by a place
   (\`EMAIL_HOST_PASSWORD\`) are assignments too.
4. **Positions that say what a value is.** A password given to a command-line tool
   (\`mysql -p…\`, \`sshpass -p\`, \`curl -u user:…\`, \`docker login -p\`, \`redis-cli -a\`, \`ldapsearch -w\`,
   \`smbclient -U user%…\`, \`htpasswd -b\`; the command split as a shell would, \`\\\` continuations
   followed, \`$VAR\`, \`$(…)\` and prompts ignored), the fifth field of a \`.pgpass\` line, Twilio's
   \`AC…:token\` / \`SK…:secret\` userinfo and the same pair as a client's first two arguments, the \`d\` member of a private JSON Web Key, a PEM
   private key stored base64-encoded (a kubeconfig's \`client-key-data\`), wp-config.php's eight
   keys and salts, an ASP.NET \`<machineKey>\`, a Rails \`config/master.key\` and Active Record
   encryption keys, and a \`random_password\`'s \`result\` in a Terraform state file.
5. **AWS pairs.** An access key id with a 40-character secret within 6 lines is one finding,
   reported at the id, with the secret's own line as a part of it (\`parts\`); the vault gets both.
6. **Context.** A private key under a test, fixture or example folder is low confidence (libraries
   ship the keys their tests sign with). So is any finding in a documentation file under an
   \`examples\` or \`samples\` folder, in example request data (\`examples-1.json\`,
   \`sample.yaml\`; not \`config.example.json\` or \`.env.example\`, which people fill in), on a
   line holding one of AWS's marked example values (\`…EXAMPLE\`), and an access key id inside a
   presigned URL (\`X-Amz-Credential=\`: a presigned URL never carries the secret). In
   documentation, a value the three lines before introduce as an example ("for example", "e.g.")
   is low confidence; in any file, so is a token in a link made to be published (a Codecov or
   CircleCI badge image, a Zoom invitation), a value given as an API description's \`example:\`,
   a Stripe test-mode key (\`sk_test_\`, \`rk_test_\`: test data only, no money moves) and the
   \`secret_key_base\` Phoenix generates into \`config/dev.exs\`. Public keys stay quiet (Stripe
   \`pk_\`, Pusher app keys). A connection URL in a docstring or documentation
   comment, and a command line there, is judged like an assignment.
   Low-confidence findings are dropped unless asked for (\`minConfidence: 'low'\`,
   \`leakstop scan --min-confidence low\`).
7. **Suppression.** A line containing \`leakstop:allow\` is never reported; a baseline is a set of
   fingerprints (HMAC-SHA256 of the credential's identity under the fingerprint key), never values.
8. **Diffs.** Only added lines are reported, with new-file line numbers; context lines are kept
   so multi-line keys and AWS pairs are seen whole. Each commit of \`git log -p\` is its own
   section, so a credential added by one commit of a push and removed by a later one is reported.

Every finding carries \`type\`, \`provider\`, \`file\`, \`line\`, \`column\`, \`fingerprint\`, a redacted
preview (a known prefix and the last 4 characters at most), \`confidence\`, \`revocable\` (leakstop
can revoke it without the owner) and attributes such as \`encrypted\` for private keys.

## Kinds
`;

function cell(value: string): string {
  return value.replace(/\|/g, '\\|');
}

export function renderKindsReadme(kinds: readonly KindInfo[]): string {
  const rows = kinds.map(
    (k) =>
      `| \`${k.type}\` | ${k.provider} | ${cell(k.shape)} | ${k.revocable ? 'yes' : 'no'} | ${k.source ? `[docs](${k.source})` : '—'} |`,
  );
  return `${HEADER}
${kinds.length} kinds. *Revocable* means leakstop revokes it on its own, with the leaked value alone.

| type | provider | shape | revocable | format source |
| ---- | -------- | ----- | --------- | ------------- |
${rows.join('\n')}
`;
}

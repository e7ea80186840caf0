import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { publicKeyQuery, verifyQuery } from '../../api/changes';
import type { ChainVerification, PublicKey } from '../../api/client';
import { Modal } from '../../components/Dialog';
import { formatCount, formatDateTime } from '../../components/format';
import { ErrorState, Loading } from '../../components/states';
import { secondaryButton } from '../../components/styles';

/** "Verify chain" walks the log's hash chain on the server and says what it found; the key that signs checkpoints is a click away. */
export function VerifyChain() {
  const verify = useQuery(verifyQuery());
  const [showKey, setShowKey] = useState(false);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <button type="button" className={secondaryButton} disabled={verify.isFetching} onClick={() => void verify.refetch()}>
          {verify.isFetching ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" className={secondaryButton} onClick={() => setShowKey(true)}>
          Public key
        </button>
      </div>
      {verify.error && !verify.isFetching && <ErrorState error={verify.error} title="Could not verify the chain" />}
      {verify.data && !verify.isFetching && <VerifyResult result={verify.data} />}
      {showKey && <PublicKeyDialog onClose={() => setShowKey(false)} />}
    </div>
  );
}

function VerifyResult({ result: r }: { result: ChainVerification }) {
  if (!r.ok) {
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        Chain broken at #{r.first_bad_seq}: {r.problem || 'the chain does not verify'}
      </p>
    );
  }
  const cp = r.checkpoint;
  const events = `Verified ${formatCount(r.events)} event${r.events === 1 ? '' : 's'}`;
  return (
    <p role="status" className={`rounded-md border px-3 py-2 text-sm ${cp && !cp.valid ? 'border-red-200 bg-red-50 text-red-800' : 'border-green-200 bg-green-50 text-green-800'}`}>
      {cp ? `${events} — last signed checkpoint #${cp.seq} (${cp.valid ? 'valid' : 'signature invalid'})` : `${events} — no signed checkpoint yet`}
      {cp && (
        <span className="block text-xs opacity-80">
          Signed {formatDateTime(cp.at)} with key {cp.key_id}
        </span>
      )}
    </p>
  );
}

/** The checkpoints' Ed25519 key, to check them outside Countersign; downloadable as JSON. */
function PublicKeyDialog({ onClose }: { onClose: () => void }) {
  const key = useQuery(publicKeyQuery());
  return (
    <Modal label="Change log public key" subtitle="Verifies the signed checkpoints of this workspace's change log." onClose={onClose}>
      {key.isPending ? (
        <Loading label="Loading the key…" />
      ) : key.error ? (
        <ErrorState error={key.error} title="Could not load the key" onRetry={() => void key.refetch()} />
      ) : (
        <KeyDetails publicKey={key.data} />
      )}
    </Modal>
  );
}

function KeyDetails({ publicKey: k }: { publicKey: PublicKey }) {
  const href = `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(k, null, 2) + '\n')}`;
  return (
    <div className="space-y-3 text-sm">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt className="text-gray-500">Algorithm</dt>
        <dd>{k.algorithm}</dd>
        <dt className="text-gray-500">Key id</dt>
        <dd className="font-mono text-xs">{k.key_id}</dd>
        <dt className="text-gray-500">Public key (base64)</dt>
        <dd className="font-mono text-xs break-all">{k.public_key}</dd>
      </dl>
      <a href={href} download={`countersign-changelog-${k.key_id}.json`} className={secondaryButton}>
        Download key {k.key_id}
      </a>
    </div>
  );
}

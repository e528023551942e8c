/** Operator pages are for admin keys: a user key sees why, not the page (the server refuses anyway). */
import { useSession } from '../../lib/session';

export function AdminOnly({ children }: { children: React.ReactNode }) {
  const { isAdmin } = useSession();
  if (!isAdmin)
    return (
      <section className="page">
        <div className="state error" role="alert" data-testid="admin-only">
          Operator pages are for admin keys only. Your key belongs to a user account.
        </div>
      </section>
    );
  return <>{children}</>;
}

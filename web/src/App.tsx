import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { ComingSoon } from './pages/ComingSoon';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { ROUTES } from './routes';

// The map library is large: it is loaded with the map page only.
const PortMap = lazy(() => import('./pages/PortMap'));
const SignIn = lazy(() => import('./pages/SignIn'));

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Home />} />
          <Route
            path={ROUTES.map}
            element={
              <Suspense fallback={<Loading />}>
                <PortMap />
              </Suspense>
            }
          />
          <Route path={ROUTES.catalog} element={<ComingSoon page="catalog" />} />
          <Route path={ROUTES.observatory} element={<ComingSoon page="observatory" />} />
          <Route path={ROUTES.innovation} element={<ComingSoon page="innovation" />} />
          <Route
            path={ROUTES.signIn}
            element={
              <Suspense fallback={<Loading />}>
                <SignIn />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
